package io.platter.scsi.reservation;

import io.platter.lun.PrivateFiles;
import io.platter.scsi.ItNexus;
import io.platter.scsi.PersistedStateErrors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ReservationStore} in one small text file (by convention {@code <image>.pr}), created
 * 0600. Saving replaces the file atomically ({@link PrivateFiles#replace}: a temporary file with
 * a random name, forced, renamed over the old one, directory forced), so a crash leaves either
 * the old or the new state, never a mix. A state without APTPL deletes the file (SPC-5 §5.14.5:
 * without APTPL nothing survives power loss).
 *
 * <p>Format 2, one item per line, fields separated by one space, every text field
 * percent-encoded (each UTF-8 byte outside {@code [A-Za-z0-9.:,_-]} as {@code %XX}), so no
 * initiator or target port name can add a field or a line:
 * <pre>
 * platter-pr 2
 * generation &lt;decimal&gt;
 * reservation &lt;holder index&gt; &lt;type&gt;
 * key &lt;hex key&gt; &lt;all target ports 0|1&gt; &lt;initiator port&gt; &lt;target port&gt;
 * </pre>
 * Files without the first line are format 1 (written before 2026-12, names raw), still read so an
 * upgrade keeps its reservations. A file that does not parse costs the unit its saved
 * reservations, never the daemon its start: it is logged at ERROR
 * ({@link PersistedStateErrors}), kept as {@code <image>.pr.damaged} for the operator, and the
 * unit starts without saved state.
 */
public final class FileReservationStore implements ReservationStore {

    private static final Logger log = LoggerFactory.getLogger(FileReservationStore.class);
    static final String HEADER = "platter-pr 2";
    private static final int KEY_FIELDS = 5;

    private final Path file;

    public FileReservationStore(Path file) {
        this.file = file.toAbsolutePath();
    }

    /** The store next to an image: {@code <image>.pr}. */
    public static FileReservationStore besideImage(Path image) {
        return new FileReservationStore(image.resolveSibling(image.getFileName() + ".pr"));
    }

    public Path file() {
        return file;
    }

    /** Where a damaged file is moved aside. */
    public Path damagedFile() {
        return file.resolveSibling(file.getFileName() + ".damaged");
    }

    /** The saved state; {@link ReservationState#EMPTY} when there is none or it is damaged (see the class comment). */
    @Override
    public ReservationState load() {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return ReservationState.EMPTY;
        } catch (IOException e) {
            PersistedStateErrors.record(log, file, "its saved persistent reservations", e);
            return ReservationState.EMPTY;
        }
        try {
            return decode(text);
        } catch (DamagedException | RuntimeException e) {
            PersistedStateErrors.record(log, file, "its saved persistent reservations (kept as "
                    + damagedFile().getFileName() + ")", e);
            try {
                Files.move(file, damagedFile(), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailed) {
                log.warn("cannot move {} aside: {}", file, moveFailed.getMessage());
            }
            return ReservationState.EMPTY;
        }
    }

    @Override
    public void save(ReservationState state) throws IOException {
        if (!state.aptpl()) {
            PrivateFiles.delete(file);
            return;
        }
        PrivateFiles.replace(file, encode(state).getBytes(StandardCharsets.US_ASCII));
    }

    // ---- format

    /** The file's text for {@code state} (format 2); pure ASCII. */
    static String encode(ReservationState state) {
        StringBuilder s = new StringBuilder(HEADER).append('\n');
        s.append("generation ").append(state.generation()).append('\n');
        if (state.type() != null) {
            s.append("reservation ").append(state.holder()).append(' ').append(state.type().wire()).append('\n');
        }
        for (Registration r : state.registrations()) {
            s.append("key ").append(Long.toHexString(r.key())).append(' ').append(r.allTargetPorts() ? 1 : 0)
                    .append(' ').append(percentEncode(r.nexus().initiatorPort()))
                    .append(' ').append(percentEncode(r.nexus().targetPort())).append('\n');
        }
        return s.toString();
    }

    /** Parses a file's text, format 2 or (without the header line) format 1; APTPL is set by definition. */
    static ReservationState decode(String text) throws DamagedException {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (lines.get(lines.size() - 1).isEmpty()) {
            lines.remove(lines.size() - 1);   // the final newline
        } else {
            throw new DamagedException("truncated: no final newline");
        }
        boolean encoded = !lines.isEmpty() && lines.get(0).equals(HEADER);
        if (encoded) {
            lines.remove(0);
        }
        long generation = -1;
        int holder = -1;
        PrType type = null;
        List<Registration> regs = new ArrayList<>();
        Set<ItNexus> nexuses = new HashSet<>();
        for (String line : lines) {
            String[] f = encoded ? line.split(" ", -1) : line.trim().split(" ");
            switch (f[0]) {
                case "generation" -> {
                    fields(f, 2, line);
                    if (generation >= 0) {
                        throw new DamagedException("two generation lines");
                    }
                    generation = Long.parseLong(f[1]);
                    if (generation < 0) {
                        throw new DamagedException("negative generation");
                    }
                }
                case "reservation" -> {
                    fields(f, 3, line);
                    if (type != null) {
                        throw new DamagedException("two reservation lines");
                    }
                    holder = Integer.parseInt(f[1]);
                    type = PrType.of(Integer.parseInt(f[2]));
                    if (type == null) {
                        throw new DamagedException("bad reservation type: " + f[2]);
                    }
                }
                case "key" -> {
                    fields(f, KEY_FIELDS, line);
                    if (f[1].length() > 16 || !f[2].matches("[01]")) {
                        throw new DamagedException("bad key line");
                    }
                    ItNexus nexus = encoded ? new ItNexus(percentDecode(f[3]), percentDecode(f[4]))
                            : new ItNexus(f[3], f[4]);
                    if (!nexuses.add(nexus)) {
                        throw new DamagedException("two registrations of one I_T nexus");
                    }
                    regs.add(new Registration(nexus, Long.parseUnsignedLong(f[1], 16), f[2].equals("1")));
                }
                case "" -> {
                    if (encoded || f.length > 1) {
                        throw new DamagedException("empty line");
                    }
                }
                default -> throw new DamagedException("unknown line");
            }
        }
        if (generation < 0) {
            throw new DamagedException("no generation line");
        }
        try {
            return new ReservationState(generation, true, regs, holder, type);
        } catch (IllegalArgumentException e) {
            throw new DamagedException("reservation holder " + holder + " is not a registration");
        }
    }

    private static void fields(String[] f, int count, String line) throws DamagedException {
        if (f.length != count) {
            throw new DamagedException(f[0] + " line with " + f.length + " fields instead of " + count);
        }
    }

    private static boolean plain(int b) {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
                || b == '.' || b == ':' || b == ',' || b == '_' || b == '-';
    }

    /** Each UTF-8 byte outside the plain set as {@code %XX}; the result is plain ASCII without spaces. */
    static String percentEncode(String value) {
        StringBuilder s = new StringBuilder(value.length());
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int u = b & 0xff;
            if (plain(u)) {
                s.append((char) u);
            } else {
                s.append('%').append(Character.toUpperCase(Character.forDigit(u >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(u & 0xf, 16)));
            }
        }
        return s.toString();
    }

    /** The inverse of {@link #percentEncode}; anything it cannot have written is damage. */
    static String percentDecode(String field) throws DamagedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '%' && i + 2 < field.length()) {
                int hi = Character.digit(field.charAt(i + 1), 16);
                int lo = Character.digit(field.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new DamagedException("bad escape in a name");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c < 0x80 && plain(c)) {
                bytes.write(c);
            } else {
                throw new DamagedException("unencoded character in a name");
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new DamagedException("a name is not UTF-8");
        }
    }

    /** The file does not parse. */
    static final class DamagedException extends Exception {
        DamagedException(String message) {
            super(message);
        }
    }
}
