package io.parley.eventstore.h2;

import org.h2.store.fs.FileBase;
import org.h2.store.fs.FilePathWrapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;

/**
 * H2's file system for tests ({@code jdbc:h2:slowwrites:file:...}): the same file, whose writes first wait
 * {@link #delayMillis} while it is above zero, so that a write H2 does on its own threads is still under way when the
 * test looks; its forces to the disk likewise wait {@link #forceDelayMillis}; while {@link #failWrites} is set, its
 * writes fail.
 */
public class SlowWritesFilePath extends FilePathWrapper {

    static volatile long delayMillis;
    /** What each force of the file to the disk waits first, while above zero. */
    static volatile long forceDelayMillis;
    /** While set, every write fails as a full disk would. */
    static volatile boolean failWrites;

    @Override
    public String getScheme() {
        return "slowwrites";
    }

    @Override
    public FileChannel open(String mode) throws IOException {
        FileChannel base = getBase().open(mode);
        return new FileBase() {
            @Override
            public long position() throws IOException {
                return base.position();
            }

            @Override
            public FileChannel position(long newPosition) throws IOException {
                base.position(newPosition);
                return this;
            }

            @Override
            public int read(ByteBuffer dst) throws IOException {
                return base.read(dst);
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return base.read(dst, position);
            }

            @Override
            public int write(ByteBuffer src) throws IOException {
                pause(delayMillis);
                return base.write(src);
            }

            @Override
            public int write(ByteBuffer src, long position) throws IOException {
                pause(delayMillis);
                return base.write(src, position);
            }

            @Override
            public long size() throws IOException {
                return base.size();
            }

            @Override
            public FileChannel truncate(long size) throws IOException {
                base.truncate(size);
                return this;
            }

            @Override
            public void force(boolean metaData) throws IOException {
                pause(forceDelayMillis);
                base.force(metaData);
            }

            @Override
            public FileLock tryLock(long position, long size, boolean shared) throws IOException {
                return base.tryLock(position, size, shared);
            }

            @Override
            protected void implCloseChannel() throws IOException {
                base.close();
            }
        };
    }

    private static void pause(long delay) throws IOException {
        if (failWrites) {
            throw new IOException("No space left on device");
        }
        if (delay > 0) {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }
}
