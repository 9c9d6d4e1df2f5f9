package io.parley.eventstore.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One event as the log stores it: the columns of Axon's {@code DomainEventEntry} (its serialized payload and meta-data,
 * as the event serializer made them) and its position in the log, Axon's global index.
 *
 * @param position          the global index: unique, increasing in the order of the log; 0 until the log accepts it
 * @param eventIdentifier   the event's id
 * @param type              the aggregate's type; {@code null} for an event no aggregate published
 * @param aggregateIdentifier the aggregate's id; {@code null} for an event no aggregate published
 * @param sequenceNumber    the event's sequence number in its aggregate (0 for an event no aggregate published)
 * @param timestamp         when the event was created
 * @param payloadType       the serialized payload's type name
 * @param payloadRevision   the payload's revision; {@code null} when it has none
 * @param payload           the serialized payload
 * @param metaData          the serialized meta-data
 */
public record LoggedEvent(long position, String eventIdentifier, String type, String aggregateIdentifier,
                          long sequenceNumber, Instant timestamp, String payloadType, String payloadRevision,
                          byte[] payload, byte[] metaData) {

    /** This event at {@code position}. */
    LoggedEvent at(long position) {
        return new LoggedEvent(position, eventIdentifier, type, aggregateIdentifier, sequenceNumber, timestamp,
                payloadType, payloadRevision, payload, metaData);
    }

    /** Bytes {@link #writeTo} writes, at most (a string's UTF-8 takes at most three bytes per char). */
    int maxEncodedSize() {
        return 8 + 8 + 8 + 4 + 7 * 4 + 3 * (eventIdentifier.length() + length(type) + length(aggregateIdentifier)
                + payloadType.length() + length(payloadRevision)) + payload.length + metaData.length;
    }

    /** Writes the fields in order; strings as their UTF-8 length (-1 for null) and bytes. */
    void writeTo(ByteBuffer buffer) {
        buffer.putLong(position);
        putString(buffer, eventIdentifier);
        putString(buffer, type);
        putString(buffer, aggregateIdentifier);
        buffer.putLong(sequenceNumber);
        buffer.putLong(timestamp.getEpochSecond()).putInt(timestamp.getNano());
        putString(buffer, payloadType);
        putString(buffer, payloadRevision);
        buffer.putInt(payload.length).put(payload);
        buffer.putInt(metaData.length).put(metaData);
    }

    /** Reads what {@link #writeTo} wrote. */
    static LoggedEvent readFrom(ByteBuffer buffer) {
        long position = buffer.getLong();
        String eventIdentifier = getString(buffer);
        String type = getString(buffer);
        String aggregateIdentifier = getString(buffer);
        long sequenceNumber = buffer.getLong();
        Instant timestamp = Instant.ofEpochSecond(buffer.getLong(), buffer.getInt());
        String payloadType = getString(buffer);
        String payloadRevision = getString(buffer);
        byte[] payload = new byte[buffer.getInt()];
        buffer.get(payload);
        byte[] metaData = new byte[buffer.getInt()];
        buffer.get(metaData);
        return new LoggedEvent(position, eventIdentifier, type, aggregateIdentifier, sequenceNumber, timestamp,
                payloadType, payloadRevision, payload, metaData);
    }

    private static int length(String value) {
        return value == null ? 0 : value.length();
    }

    private static void putString(ByteBuffer buffer, String value) {
        if (value == null) {
            buffer.putInt(-1);
            return;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        buffer.putInt(bytes.length).put(bytes);
    }

    private static String getString(ByteBuffer buffer) {
        int length = buffer.getInt();
        if (length < 0) {
            return null;
        }
        String value = new String(buffer.array(), buffer.arrayOffset() + buffer.position(), length,
                StandardCharsets.UTF_8);
        buffer.position(buffer.position() + length);
        return value;
    }
}
