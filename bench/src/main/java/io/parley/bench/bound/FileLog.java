package io.parley.bench.bound;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * An append-only event log: a group is written with one {@code write}, each event as its length, its CRC-32C (both
 * big-endian ints) and its bytes, then the file is forced ({@code FileChannel.force(false)}: the data, as
 * {@code fdatasync}), so a group is on the disk when {@link #write} returns, power loss included. It is not read back;
 * what a reader or a restart would need (an index by position and by conversation, a torn tail cut at start) is not
 * built.
 */
final class FileLog implements GroupStore {

    private final FileChannel channel;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);

    FileLog(Path file) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
    }

    @Override
    public void write(List<Appended> group) throws IOException {
        int size = 0;
        for (Appended message : group) {
            size += 8 + message.event().length;
        }
        if (size > buffer.capacity()) {
            buffer = ByteBuffer.allocateDirect(Integer.highestOneBit(size) << 1);
        }
        buffer.clear();
        for (Appended message : group) {
            crc.reset();
            crc.update(message.event());
            buffer.putInt(message.event().length).putInt((int) crc.getValue()).put(message.event());
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
