package io.platter.scsi.reservation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.platter.scsi.ItNexus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The {@code <image>.pr} format (issue 21 finding 1): every state round-trips whatever bytes its
 * names hold, its structure (lines and fields) does not depend on them, files of format 1 still
 * load, and what format 2 cannot have written is refused.
 */
class ReservationFileFormatTest {

    @Property(tries = 500)
    void everyStateRoundTrips(@ForAll("states") ReservationState state) throws Exception {
        String text = FileReservationStore.encode(state);
        assertThat(FileReservationStore.decode(text)).isEqualTo(state);
        // One line per item, every field free of separators: names cannot add lines or fields.
        int lines = 2 + (state.type() == null ? 0 : 1) + state.registrations().size();
        assertThat(text.split("\n")).hasSize(lines);
        assertThat(text.chars()).allMatch(c -> c == '\n' || c >= 0x20 && c < 0x7f);
        text.lines().filter(l -> l.startsWith("key ")).forEach(l -> assertThat(l.split(" ", -1)).hasSize(5));
    }

    @Property(tries = 300)
    void percentEncodingRoundTripsAnyName(@ForAll("names") String name) throws Exception {
        String encoded = FileReservationStore.percentEncode(name);
        assertThat(encoded).matches("[A-Za-z0-9.:,_%-]*");
        assertThat(FileReservationStore.percentDecode(encoded)).isEqualTo(name);
    }

    @Test
    void aNameThatSpellsLinesStaysOneField() throws Exception {
        String forged = "iqn.evil,i,0x1 iqn.t,t,0x1\nreservation 0 3\nkey bb 1 iqn.other,i,0x9";
        ReservationState s = new ReservationState(1, true,
                List.of(new Registration(new ItNexus(forged, "iqn.t,t,0x1"), 0xAA, false)), -1, null);
        String text = FileReservationStore.encode(s);
        assertThat(text).isEqualTo(FileReservationStore.HEADER + "\n" + "generation 1\n"
                + "key aa 0 iqn.evil,i,0x1%20iqn.t,t,0x1%0Areservation%200%203%0Akey%20bb%201%20iqn.other,i,0x9 "
                + "iqn.t,t,0x1\n");
        assertThat(FileReservationStore.decode(text)).isEqualTo(s);
    }

    @Test
    void formatOneFilesOfTheCurrentVersionStillLoad() throws Exception {
        String v1 = "generation 7\nreservation 1 3\nkey ab 1 iqn.a,i,0x000000000001 iqn.t,t,0x1\n"
                + "key 1 0 iqn.b,i,0x000000000002 iqn.t,t,0x1\n";
        ReservationState s = FileReservationStore.decode(v1);
        assertThat(s).isEqualTo(new ReservationState(7, true, List.of(
                new Registration(new ItNexus("iqn.a,i,0x000000000001", "iqn.t,t,0x1"), 0xAB, true),
                new Registration(new ItNexus("iqn.b,i,0x000000000002", "iqn.t,t,0x1"), 1, false)), 1,
                PrType.EXCLUSIVE_ACCESS));
    }

    @Test
    void whatNoVersionWroteIsDamage() {
        for (String text : List.of(
                "", "\n", "generation 1", "garbage\n", "generation 1\ngeneration 2\n",
                "generation 1\nkey ab 1 a b c\n",                       // a name with a space (format 1)
                "generation 1\nreservation 0 3\n",                      // holder is no registration
                "generation 1\nreservation 0 9\nkey 1 0 a b\n",          // reserved type
                "generation 1\nkey 1 2 a b\n",
                "generation 1\nkey 1 0 a b\nkey 2 0 a b\n",              // one nexus twice
                FileReservationStore.HEADER + "\ngeneration 1\nkey 1 0 a%2 b\n",
                FileReservationStore.HEADER + "\ngeneration 1\nkey 1 0 a%C3 b\n",   // not UTF-8
                FileReservationStore.HEADER + "\ngeneration 1\nkey 1 0 a=b c\n",
                FileReservationStore.HEADER + "\ngeneration 1\n\n")) {
            assertThatThrownBy(() -> FileReservationStore.decode(text)).as(text)
                    .isInstanceOfAny(FileReservationStore.DamagedException.class, RuntimeException.class);
        }
    }

    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> any = Arbitraries.strings().all().ofMaxLength(40)
                .filter(s -> StandardCharsets.UTF_8.newEncoder().canEncode(s));   // no lone surrogates
        Arbitrary<String> tricky = Arbitraries.strings().withChars(" \n\r\t=%\0,.:#\\\u00e9\u4e2d")
                .withCharRange('a', 'c').ofMaxLength(30);
        return Arbitraries.oneOf(any, tricky);
    }

    @Provide
    Arbitrary<ReservationState> states() {
        Arbitrary<Registration> registration = Combinators.combine(names(), names(),
                Arbitraries.longs(), Arbitraries.of(true, false))
                .as((i, t, key, all) -> new Registration(new ItNexus(i, t), key, all));
        Arbitrary<List<Registration>> registrations = registration.list().ofMaxSize(6)
                .uniqueElements(Registration::nexus);
        return registrations.flatMap(regs -> Combinators.combine(Arbitraries.longs().greaterOrEqual(0),
                Arbitraries.of(PrType.class).injectNull(0.3),
                Arbitraries.integers().between(0, Math.max(0, regs.size() - 1)))
                .as((generation, type, holder) -> regs.isEmpty() || type == null
                        ? new ReservationState(generation, true, regs, -1, null)
                        : new ReservationState(generation, true, regs, holder, type)));
    }
}
