package io.parley.eventstore.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * An append-only file of events with group commit: what one {@link #append} call is given is written as one frame,
 * every frame waiting is written with one write and then forced to the disk ({@code FileChannel.force(false)}, as
 * {@code fdatasync}), and only then are the appends told, readers shown the events, and the next group started. So
 * an append that completed is on the disk, power loss included, and a reader of the log's order ({@link #readAfter})
 * never sees an event a crash can take back (an aggregate's next command does: {@link #readAggregate}).
 * <p>
 * <b>The file:</b> an 8-byte magic number ({@code PRLYLOG1}), then frames. A frame is its body's length and the body's
 * CRC-32C (big-endian ints), and the body: the number of events, then each event as its length and its
 * {@link LoggedEvent} encoding. One write carries at most {@value #MAX_GROUP_BYTES} bytes of frames. At open, the file
 * is read to its end; at the first frame that is short or whose CRC does not match, it is cut there when what follows
 * fits in one write (the group a crash left half-written; none of its appends had completed), the bytes cut kept
 * beside it in {@code <file>.cut-<offset>}; a bad frame further from the end is damage, and the log does not open. A
 * write or force that fails is cut back too, and the log accepts nothing more until a restart.
 * <p>
 * <b>The index</b> is in memory, built at open: each event's position and file offset (16 bytes), and per aggregate
 * its sequence numbers and offsets (16 bytes more per event of an aggregate, ~100 per aggregate), arrays that grow by
 * doubling. Events are read from the file on demand.
 * <p>
 * <b>The file</b> is locked while open (a second process cannot open it), and survives an interrupted thread: Java
 * closes a {@link FileChannel} for every thread when one thread using it is interrupted (Reactor cancelling a worker,
 * Axon stopping a processor), so the channel is opened again and the other threads' reads and the writer's write go on;
 * the interrupted thread's read fails.
 * <p>
 * <b>Rules:</b> positions are given in the order appends are accepted, each one more than the last (a log migrated
 * from another store keeps that store's positions, gaps included). An aggregate's event must have a sequence number
 * above every one the log holds or has accepted for it ({@link SequenceConflict} otherwise, before anything is
 * written: the unique key of Axon's event table). After a failed write the log accepts nothing more: what it had
 * accepted after that group may not be on the disk, and only a restart, which reads the file again, knows what is.
 */
public final class EventLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EventLog.class);

    static final long MAGIC = 0x50524C594C4F4731L; // "PRLYLOG1"
    private static final int FRAME_HEADER = 8;
    /** Bytes of frames one write carries at most (one append's frame always goes whole, however large). */
    static final int MAX_GROUP_BYTES = 8 << 20;
    /**
     * Bytes a reader of the log's order reads with one call ({@link #readAfter}): at most, but for one event larger than
     * that (read whole), and fewer at the end of what it asked for.
     */
    static final int READ_SPAN_BYTES = 128 << 10;

    /** An aggregate's events the file holds: sequence numbers and offsets, in log order. */
    private static final class Aggregate {
        private long[] sequenceNumbers = new long[4];
        private long[] offsets = new long[4];
        private int size;
        /** The highest sequence number accepted, written or not. */
        private long lastAccepted = -1;

        private void add(long sequenceNumber, long offset) {
            if (size == offsets.length) {
                sequenceNumbers = Arrays.copyOf(sequenceNumbers, size * 2);
                offsets = Arrays.copyOf(offsets, size * 2);
            }
            sequenceNumbers[size] = sequenceNumber;
            offsets[size++] = offset;
        }
    }

    /** One append waiting to be written. */
    private record Pending(List<LoggedEvent> events, CompletableFuture<Void> written) {
    }

    /** Thrown by {@link #open} when another process has the file open (another server on the same data directory). */
    public static final class InUse extends IOException {
        private final Path file;

        InUse(Path file) {
            super(file + " is in use by another process");
            this.file = file;
        }

        /** The log's file. */
        public Path file() {
            return file;
        }
    }

    /** Thrown by {@link #append} when an event's sequence number is not above its aggregate's last. */
    public static final class SequenceConflict extends RuntimeException {
        private final LoggedEvent event;

        SequenceConflict(LoggedEvent event, long last) {
            super("aggregate " + event.aggregateIdentifier() + " already has an event at sequence "
                    + event.sequenceNumber() + " or later (its last: " + last + ")");
            this.event = event;
        }

        /** The event that could not be appended. */
        public LoggedEvent event() {
            return event;
        }
    }

    private final Path file;
    /** Opened again when an interrupted thread has closed it ({@link #io}). */
    private volatile FileChannel channel;
    private FileLock lock;
    private final Thread writer;
    /** Held by the writer for each write and force; a test holds it to keep writes back ({@link #holdWrites}). */
    private final ReentrantLock writing = new ReentrantLock();
    private long writes;
    /** When the write under way started ({@link System#nanoTime}); 0 between writes. */
    private volatile long writeStarted;
    /** Run by the writer after each group it wrote, once readers can see it ({@link #onWritten}). */
    private volatile Runnable onWritten = () -> {
    };

    // guarded by this
    private long[] positions = new long[1024];
    private long[] offsets = new long[1024];
    private int size;
    private final Map<String, Aggregate> aggregates = new HashMap<>();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** Accepted, not yet written: what aggregate reads see beyond the file (as a committed transaction is seen). */
    private final List<LoggedEvent> unwritten = new ArrayList<>();
    private long lastAccepted;
    /** The future of the last append accepted: groups are written in order, so it completes after every earlier one. */
    private CompletableFuture<Void> lastAppend = CompletableFuture.completedFuture(null);
    private long end;
    private IOException failure;
    private boolean closed;

    private EventLog(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
        this.writer = new Thread(this::writeGroups, "event-log-writer " + file.getFileName());
        writer.setDaemon(true);
    }

    /**
     * Opens the log in {@code file}, creating it when absent, and reads it whole to build the index, cutting a torn
     * tail (logged at WARN with the bytes cut).
     *
     * @throws IOException when the file cannot be read or written, or is not an event log
     */
    public static EventLog open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            EventLog eventLog = new EventLog(file, channel);
            eventLog.lock = channel.tryLock();
            if (eventLog.lock == null) {
                throw new InUse(file);
            }
            eventLog.load();
            eventLog.writer.start();
            return eventLog;
        } catch (OverlappingFileLockException e) {
            channel.close();
            throw new IOException(file + " is open already in this process", e);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void load() throws IOException {
        long length = channel.size();
        if (length == 0) {
            ByteBuffer magic = ByteBuffer.allocate(8).putLong(MAGIC).flip();
            writeFully(channel, magic, 0);
            channel.force(true);
            end = 8;
            return;
        }
        ByteBuffer magic = ByteBuffer.allocate(8);
        readFully(channel, magic, 0);
        if (magic.position() < 8 || magic.getLong(0) != MAGIC) {
            throw new IOException(file + " is not a Parley event log");
        }
        long offset = 8;
        ByteBuffer header = ByteBuffer.allocate(FRAME_HEADER);
        CRC32C crc = new CRC32C();
        while (offset < length) {
            header.clear();
            readFully(channel, header, offset);
            int bodyLength = header.position() == FRAME_HEADER ? header.getInt(0) : -1;
            if (bodyLength <= 4 || offset + FRAME_HEADER + bodyLength > length) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(bodyLength);
            readFully(channel, body, offset + FRAME_HEADER);
            crc.reset();
            crc.update(body.array(), 0, bodyLength);
            if ((int) crc.getValue() != header.getInt(4)) {
                break;
            }
            body.flip();
            int count = body.getInt();
            for (int i = 0; i < count; i++) {
                long eventOffset = offset + FRAME_HEADER + body.position();
                int eventLength = body.getInt();
                int next = body.position() + eventLength;
                LoggedEvent event = LoggedEvent.readFrom(body);
                body.position(next);
                index(event, eventOffset);
                lastAccepted = event.position();
            }
            offset += FRAME_HEADER + bodyLength;
        }
        if (offset < length) {
            if (length - offset > MAX_GROUP_BYTES) {
                throw new IOException(file + " is damaged at offset " + offset + ": a frame there is short or fails"
                        + " its checksum, and " + (length - offset) + " bytes follow, more than one write carries;"
                        + " the events after it would be lost. Restore the data directory from a backup.");
            }
            Path cut = file.resolveSibling(file.getFileName() + ".cut-" + offset);
            try (FileChannel out = FileChannel.open(cut, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.transferTo(offset, length - offset, out);
                out.force(true);
            }
            log.warn("{}: cut {} bytes at its end that a crash left half-written (offset {}, kept in {}); no append of"
                    + " them had completed", file, length - offset, offset, cut);
            channel.truncate(offset);
            channel.force(true);
        }
        end = offset;
        for (Aggregate aggregate : aggregates.values()) {
            aggregate.lastAccepted = aggregate.sequenceNumbers[aggregate.size - 1];
        }
        log.info("{}: {} events, last position {}", file, size, lastAccepted);
    }

    /** Adds a written event to the index; under this lock (or at load). */
    private void index(LoggedEvent event, long offset) {
        if (size == positions.length) {
            positions = Arrays.copyOf(positions, size * 2);
            offsets = Arrays.copyOf(offsets, size * 2);
        }
        positions[size] = event.position();
        offsets[size++] = offset;
        if (event.aggregateIdentifier() != null) {
            aggregates.computeIfAbsent(event.aggregateIdentifier(), id -> new Aggregate())
                    .add(event.sequenceNumber(), offset);
        }
    }

    /**
     * Accepts {@code events} (positions not yet given) as one frame and gives them positions: the future completes once
     * they are on the disk, or fails with the write's {@link IOException}.
     *
     * @throws SequenceConflict when an aggregate's event is not above its last sequence number; nothing is accepted
     * @throws IllegalStateException when the log is closed or a write has failed
     */
    public CompletableFuture<Void> append(List<LoggedEvent> events) {
        return accept(events, false);
    }

    /**
     * Appends events that keep the positions they have (a store moved into the log: {@link EventTableMove}); each must
     * be above the last the log holds. Otherwise as {@link #append}.
     */
    CompletableFuture<Void> appendAtTheirPositions(List<LoggedEvent> events) {
        return accept(events, true);
    }

    private CompletableFuture<Void> accept(List<LoggedEvent> events, boolean keepPositions) {
        if (events.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(file + " is closed");
            }
            if (failure != null) {
                throw new IllegalStateException(file + " could not be written; restart to read it again", failure);
            }
            Map<String, Long> lastInThisAppend = new HashMap<>();
            for (LoggedEvent event : events) {
                String id = event.aggregateIdentifier();
                if (id == null) {
                    continue;
                }
                Long last = lastInThisAppend.get(id);
                if (last == null) {
                    Aggregate aggregate = aggregates.get(id);
                    last = aggregate == null ? -1 : aggregate.lastAccepted;
                }
                if (event.sequenceNumber() <= last) {
                    throw new SequenceConflict(event, last);
                }
                lastInThisAppend.put(id, event.sequenceNumber());
            }
            List<LoggedEvent> positioned = new ArrayList<>(events.size());
            long last = lastAccepted;
            for (LoggedEvent event : events) {
                if (keepPositions && event.position() <= last) {
                    throw new IllegalArgumentException("position " + event.position() + " is not above " + last);
                }
                last = keepPositions ? event.position() : last + 1;
                positioned.add(keepPositions ? event : event.at(last));
            }
            lastAccepted = last;
            lastInThisAppend.forEach((id, sequence) -> aggregates.computeIfAbsent(id, key -> new Aggregate())
                    .lastAccepted = sequence);
            unwritten.addAll(positioned);
            Pending pending = new Pending(positioned, new CompletableFuture<>());
            queue.add(pending);
            lastAppend = pending.written();
            notifyAll();
            return pending.written();
        }
    }

    private void writeGroups() {
        List<Pending> group = new ArrayList<>();
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        while (true) {
            long start;
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        stopInterrupted(); // ended by anything but close: no append may wait for it
                        return;
                    }
                }
                if (queue.isEmpty()) {
                    return; // closed, all written
                }
                int bytes = 0;
                while (!queue.isEmpty() && (group.isEmpty()
                        || bytes + maxFrameSize(queue.peek()) <= MAX_GROUP_BYTES)) {
                    Pending pending = queue.poll();
                    bytes += maxFrameSize(pending);
                    group.add(pending);
                }
                start = end;
            }
            IOException error = null;
            List<long[]> eventOffsets = new ArrayList<>(group.size());
            writeStarted = System.nanoTime(); // before the lock: a held write shows as one under way
            writing.lock();
            try {
                buffer = encode(group, start, buffer, crc, eventOffsets);
                ByteBuffer frames = buffer;
                io(c -> {
                    writeFully(c, frames.duplicate(), start); // again from its start after a reopen
                    c.force(false);
                    return null;
                });
            } catch (Throwable e) { // an Error too: the appends waiting must hear of it, or they would wait for good
                error = e instanceof IOException failed ? failed : new IOException(e);
                log.error("{}: a group of {} appends could not be written; the log accepts nothing more until a "
                        + "restart", file, group.size(), error);
                cutBack(start);
            } finally {
                writeStarted = 0;
                writing.unlock();
            }
            synchronized (this) {
                writes++;
                if (error == null) {
                    try {
                        // the group is on the disk: a reader whose span ends at `end` may read all of it, even
                        // should indexing fail partway (then `size` counts only some of its events)
                        end = start + buffer.limit();
                        for (int i = 0; i < group.size(); i++) {
                            List<LoggedEvent> events = group.get(i).events();
                            long[] at = eventOffsets.get(i);
                            for (int j = 0; j < events.size(); j++) {
                                index(events.get(j), at[j]);
                            }
                        }
                    } catch (Throwable e) { // written, but not readable from here: as a failed write until a restart
                        error = new IOException("a written group could not be indexed", e);
                        log.error("{}: {}; the log accepts nothing more until a restart", file, error.getMessage(), e);
                    }
                }
                if (error != null) {
                    failure = error;
                    for (Pending left : queue) {
                        left.written().completeExceptionally(error);
                    }
                    queue.clear();
                }
                if (error == null) {
                    unwritten.subList(0, countEvents(group)).clear();
                } else {
                    unwritten.clear(); // none of it will be written
                }
                notifyAll();
            }
            if (error == null) {
                try {
                    onWritten.run();
                } catch (Throwable e) { // the appends below must complete whatever it threw
                    log.warn("{}: what runs after a write failed", file, e);
                }
            }
            for (Pending pending : group) {
                if (error == null) {
                    pending.written().complete(null);
                } else {
                    pending.written().completeExceptionally(error);
                }
            }
            group.clear();
            if (error != null) {
                return;
            }
        }
    }

    /**
     * The writer was interrupted while it waited for appends: it stops, and the log fails as after a failed write
     * (every waiting and later append fails, health says why), rather than leave appends waiting for a writer that is
     * gone. Under this lock.
     */
    private void stopInterrupted() {
        failure = new InterruptedIOException("the log's writer was interrupted");
        log.error("{}: the writer was interrupted; the log accepts nothing more until a restart", file);
        for (Pending left : queue) {
            left.written().completeExceptionally(failure);
        }
        queue.clear();
        unwritten.clear();
        notifyAll();
    }

    /** The most bytes an append's frame can take. */
    private static int maxFrameSize(Pending pending) {
        int size = FRAME_HEADER + 4;
        for (LoggedEvent event : pending.events()) {
            size += 4 + event.maxEncodedSize();
        }
        return size;
    }

    /** After a failed write: the file back to where the group began, so a restart does not read it (best effort). */
    private void cutBack(long start) {
        try {
            io(c -> {
                c.truncate(start);
                c.force(true);
                return null;
            });
        } catch (Throwable e) {
            log.error("{}: could not cut the failed write back to offset {}; a restart may read its appends, which"
                    + " were answered as failed", file, start, e);
        }
    }

    private static int countEvents(List<Pending> group) {
        int count = 0;
        for (Pending pending : group) {
            count += pending.events().size();
        }
        return count;
    }

    /** Encodes the group's frames from file offset {@code start}; fills {@code eventOffsets}, one array per append. */
    private static ByteBuffer encode(List<Pending> group, long start, ByteBuffer buffer, CRC32C crc,
                                     List<long[]> eventOffsets) {
        int capacity = 0;
        for (Pending pending : group) {
            capacity += maxFrameSize(pending);
        }
        if (capacity > buffer.capacity()) {
            buffer = ByteBuffer.allocateDirect(capacity); // one append's frame can be larger than a group's cap
        }
        buffer.clear();
        for (Pending pending : group) {
            int frame = buffer.position();
            buffer.position(frame + FRAME_HEADER);
            buffer.putInt(pending.events().size());
            long[] at = new long[pending.events().size()];
            for (int i = 0; i < at.length; i++) {
                int lengthAt = buffer.position();
                at[i] = start + lengthAt;
                buffer.position(lengthAt + 4);
                pending.events().get(i).writeTo(buffer);
                buffer.putInt(lengthAt, buffer.position() - lengthAt - 4);
            }
            eventOffsets.add(at);
            int bodyLength = buffer.position() - frame - FRAME_HEADER;
            ByteBuffer body = buffer.duplicate().position(frame + FRAME_HEADER).limit(buffer.position());
            crc.reset();
            crc.update(body);
            buffer.putInt(frame, bodyLength).putInt(frame + 4, (int) crc.getValue());
        }
        buffer.flip();
        return buffer;
    }

    /**
     * Up to {@code max} written events after {@code position}, in log order.
     */
    public List<LoggedEvent> readAfter(long position, int max) throws IOException {
        long[] at;
        long spanEnd;
        synchronized (this) {
            int from = firstAbove(position);
            int to = (int) Math.min(size, (long) from + max);
            at = Arrays.copyOfRange(offsets, from, to);
            spanEnd = to < size ? offsets[to] : end;
        }
        return readConsecutive(at, spanEnd);
    }

    /**
     * The events at {@code at}, offsets of consecutive events in the log's order, the last one ending at or before
     * {@code spanEnd}: read {@value #READ_SPAN_BYTES} bytes at a time (a frame header between two of them is read and
     * skipped), not two reads per event, which cost a tailing reader two system calls per event (3.1% of the server's
     * CPU at 5,000 msg/s, docs/benchmark.md, "twenty-fifth stop"). An event larger than a span is read whole.
     */
    private List<LoggedEvent> readConsecutive(long[] at, long spanEnd) throws IOException {
        List<LoggedEvent> events = new ArrayList<>(at.length);
        ByteBuffer span = ByteBuffer.allocate(0);
        long spanStart = 0;
        for (int i = 0; i < at.length; i++) {
            long offset = at[i];
            long eventEnd = i + 1 < at.length ? at[i + 1] : spanEnd; // at or after this event's last byte
            if (eventEnd > spanStart + span.limit()) { // offsets only grow: a span never has to go back
                long readEnd = Math.min(spanEnd, Math.max(eventEnd, offset + READ_SPAN_BYTES));
                span = readSpan(offset, (int) (readEnd - offset));
                spanStart = offset;
            }
            int relative = (int) (offset - spanStart);
            events.add(LoggedEvent.readFrom(span.slice(relative + 4, span.getInt(relative))));
        }
        return events;
    }

    /**
     * {@code length} bytes of the file from {@code offset}, in a heap buffer of that size, flipped for reading.
     *
     * @throws IOException the file ends before them, though the index holds them as written (the file was cut or
     *                     replaced under the running log), or the read failed
     */
    private ByteBuffer readSpan(long offset, int length) throws IOException {
        return io(c -> {
            ByteBuffer span = ByteBuffer.allocate(length);
            readFully(c, span, offset);
            if (span.hasRemaining()) {
                throw new IOException(file + ": " + span.remaining() + " bytes missing at offset "
                        + (offset + span.position()) + ", inside events the index holds as written");
            }
            return span.flip();
        });
    }

    /**
     * An aggregate's events from {@code firstSequenceNumber} on, in order: those written, then those accepted and not
     * yet written (what a transaction committed before its file write is to the next one).
     */
    public List<LoggedEvent> readAggregate(String aggregateIdentifier, long firstSequenceNumber) throws IOException {
        return readAggregate(aggregateIdentifier, firstSequenceNumber, Integer.MAX_VALUE, true);
    }

    /**
     * Up to {@code max} of an aggregate's events from {@code firstSequenceNumber} on, in order: those written, and
     * with {@code accepted} those accepted and not yet written after them.
     */
    public List<LoggedEvent> readAggregate(String aggregateIdentifier, long firstSequenceNumber, int max,
                                           boolean accepted) throws IOException {
        List<Long> at = new ArrayList<>();
        List<LoggedEvent> unwrittenOnes = new ArrayList<>();
        synchronized (this) {
            Aggregate aggregate = aggregates.get(aggregateIdentifier);
            if (aggregate != null) {
                int from = Arrays.binarySearch(aggregate.sequenceNumbers, 0, aggregate.size, firstSequenceNumber);
                for (int i = from >= 0 ? from : -from - 1; i < aggregate.size && at.size() < max; i++) {
                    at.add(aggregate.offsets[i]);
                }
            }
            for (LoggedEvent event : accepted ? unwritten : List.<LoggedEvent>of()) {
                if (at.size() + unwrittenOnes.size() < max && aggregateIdentifier.equals(event.aggregateIdentifier())
                        && event.sequenceNumber() >= firstSequenceNumber) {
                    unwrittenOnes.add(event);
                }
            }
        }
        List<LoggedEvent> events = new ArrayList<>(at.size() + unwrittenOnes.size());
        for (long offset : at) {
            events.add(readAt(offset));
        }
        events.addAll(unwrittenOnes);
        return events;
    }

    /** The aggregate's highest sequence number accepted, written or not; empty when it has no event. */
    public synchronized OptionalLong lastSequenceNumber(String aggregateIdentifier) {
        Aggregate aggregate = aggregates.get(aggregateIdentifier);
        return aggregate == null ? OptionalLong.empty() : OptionalLong.of(aggregate.lastAccepted);
    }

    /** The position of the last written event; empty when none is. */
    public synchronized OptionalLong lastPosition() {
        return size == 0 ? OptionalLong.empty() : OptionalLong.of(positions[size - 1]);
    }

    /** The position of the first written event; empty when none is. */
    public synchronized OptionalLong firstPosition() {
        return size == 0 ? OptionalLong.empty() : OptionalLong.of(positions[0]);
    }

    /** Written events (the size of the index). */
    public synchronized int size() {
        return size;
    }

    /** The written event at index {@code i} of the log (0 = the first). */
    LoggedEvent readIndex(int i) throws IOException {
        long offset;
        synchronized (this) {
            offset = offsets[i];
        }
        return readAt(offset);
    }

    /**
     * Waits until an event after {@code position} is written, at most {@code timeout}.
     *
     * @return whether one is
     */
    public boolean awaitAfter(long position, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (size == 0 || positions[size - 1] <= position) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed || failure != null) {
                    return false;
                }
                wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** The index of the first written event above {@code position}; under this lock. */
    private int firstAbove(long position) {
        int found = Arrays.binarySearch(positions, 0, size, position);
        return found >= 0 ? found + 1 : -found - 1;
    }

    private LoggedEvent readAt(long offset) throws IOException {
        return io(c -> {
            ByteBuffer length = ByteBuffer.allocate(4);
            readFully(c, length, offset);
            ByteBuffer event = ByteBuffer.allocate(length.getInt(0));
            readFully(c, event, offset + 4);
            return LoggedEvent.readFrom(event.flip());
        });
    }

    /** An operation on the file's channel. */
    private interface ChannelOperation<T> {
        T on(FileChannel channel) throws IOException;
    }

    /**
     * Runs {@code operation} on the channel. When another thread's interrupt has closed the channel meanwhile, it is
     * opened again and the operation runs again (each one reads or writes at fixed offsets, so running it again is
     * harmless); when this thread was interrupted, the channel is opened again for the others and this one fails.
     */
    private <T> T io(ChannelOperation<T> operation) throws IOException {
        while (true) {
            FileChannel current = channel;
            try {
                return operation.on(current);
            } catch (ClosedByInterruptException interrupted) {
                reopen(current);
                throw interrupted;
            } catch (ClosedChannelException closedByAnother) {
                if (!reopen(current)) {
                    throw closedByAnother;
                }
            }
        }
    }

    /** Opens the channel again, unless another thread has, or the log is closed; whether there is one to use. */
    private synchronized boolean reopen(FileChannel broken) throws IOException {
        if (closed && Thread.currentThread() != writer) {
            return false;
        }
        if (channel == broken) {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            log.warn("{}: opened again after an interrupted thread closed it", file);
            // the lock went with the closed channel (it is the process's, so no other process took it meanwhile)
            lock = channel.tryLock();
        }
        return true;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long offset) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) {
                return;
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long offset) throws IOException {
        long at = offset;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    @Override
    public String toString() {
        return file.toString();
    }

    /**
     * How long the write and force under way have taken so far; {@link Duration#ZERO} between writes. Every append
     * waits for it, so one that goes on for seconds is a disk that stopped answering.
     */
    public Duration writeUnderWay() {
        long started = writeStarted;
        return started == 0 ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - started);
    }

    /**
     * Runs {@code action} on the writer's thread after each write, once its events can be read and before its appends
     * complete (the event store wakes its readers so: an append may complete after its unit of work committed). It must
     * be quick and not append. Replaces the one set before.
     */
    public void onWritten(Runnable action) {
        this.onWritten = action;
    }

    /**
     * Completes once every append accepted so far is on the disk (at once when none is outstanding), or fails with
     * the write's {@link IOException} when one of them, or an earlier one, could not be written; after a failed write
     * it fails at once. What a reader saw of the accepted appends (an aggregate's events, read before they are written)
     * is durable once this completes: a command answered from what it read, a snapshot made of it, waits for it.
     */
    public synchronized CompletableFuture<Void> written() {
        return failure != null ? CompletableFuture.failedFuture(failure) : lastAppend;
    }

    /** What made a write fail, after which the log accepts nothing until a restart; {@code null} while none has. */
    public synchronized IOException failure() {
        return failure;
    }

    /** Groups written so far (each one write and one force). */
    public synchronized long writes() {
        return writes;
    }

    /**
     * Keeps the writer from writing until {@link #releaseWrites()}, as a disk that stopped answering would (for tests:
     * what waits for the disk, and what health says meanwhile). Call both from the same thread.
     */
    public void holdWrites() {
        writing.lock();
    }

    /** Lets the writer write again after {@link #holdWrites()}. */
    public void releaseWrites() {
        writing.unlock();
    }

    /** Writes what was accepted, then closes the file. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
        }
        try {
            writer.join(30_000); // what was accepted is written first
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        channel.close(); // and its lock with it
    }
}
