package io.platter.scsi.reservation;

import io.platter.scsi.ItNexus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ReservationStore} in one small text file (by convention {@code <image>.pr}). Saving
 * writes a temporary file, forces it, renames it over the old one and forces the directory, so
 * a crash leaves either the old or the new state, never a mix. A state without APTPL deletes the
 * file (SPC-5 §5.14.5: without APTPL nothing survives power loss).
 *
 * <p>Format, one item per line: {@code generation N}, {@code reservation <holder index> <type>},
 * {@code key <hex> <all target ports 0|1> <initiator port> <target port>}.
 */
public final class FileReservationStore implements ReservationStore {

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

    @Override
    public ReservationState load() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return ReservationState.EMPTY;
        }
        long generation = 0;
        int holder = -1;
        PrType type = null;
        List<Registration> regs = new ArrayList<>();
        try {
            for (String line : lines) {
                String[] f = line.trim().split(" ");
                switch (f[0]) {
                    case "generation" -> generation = Long.parseLong(f[1]);
                    case "reservation" -> {
                        holder = Integer.parseInt(f[1]);
                        type = PrType.of(Integer.parseInt(f[2]));
                        if (type == null) {
                            throw new IOException("bad reservation type in " + file + ": " + line);
                        }
                    }
                    case "key" -> regs.add(new Registration(new ItNexus(f[3], f[4]),
                            Long.parseUnsignedLong(f[1], 16), f[2].equals("1")));
                    case "" -> { }
                    default -> throw new IOException("unknown line in " + file + ": " + line);
                }
            }
            return new ReservationState(generation, true, regs, holder, type);
        } catch (RuntimeException e) {
            throw new IOException("corrupt reservation file " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void save(ReservationState state) throws IOException {
        Path dir = file.getParent();
        if (!state.aptpl()) {
            if (Files.deleteIfExists(file)) {
                forceDirectory(dir);
            }
            return;
        }
        StringBuilder s = new StringBuilder();
        s.append("generation ").append(state.generation()).append('\n');
        if (state.type() != null) {
            s.append("reservation ").append(state.holder()).append(' ').append(state.type().wire()).append('\n');
        }
        for (Registration r : state.registrations()) {
            s.append("key ").append(Long.toHexString(r.key())).append(' ').append(r.allTargetPorts() ? 1 : 0)
                    .append(' ').append(r.nexus().initiatorPort()).append(' ').append(r.nexus().targetPort())
                    .append('\n');
        }
        Path temp = dir.resolve(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(s.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(dir);
    }

    private static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
