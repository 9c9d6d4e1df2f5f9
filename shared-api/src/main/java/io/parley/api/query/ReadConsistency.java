package io.parley.api.query;

/**
 * How fresh a query's answer must be, said in its metadata. By default a read model answers only once it holds every
 * event committed before the query arrived (read-your-writes; the query side's {@code ConsistencyBarrier}).
 * A caller that already knows the answer lies within what an earlier, waiting query established may say so and skip
 * the wait: {@code sync} pages through history up to the {@code lastSeq} its conversation list (which waited) gave it,
 * and waiting again for every newer event while the projection catches up would only slow it down.
 * <p>
 * A caller that needs the read model only as far as one event may say which ({@link #POSITION_KEY}): the live fan-out
 * loading a conversation's members for an event it streamed needs them as of that event, not as of every event
 * committed since, which under load can be many more and take longer to reach.
 */
public final class ReadConsistency {

    /** Metadata key; value {@link #ESTABLISHED}: no wait, what is needed is in the read model already. */
    public static final String KEY = "parley.readConsistency";
    public static final String ESTABLISHED = "established";

    /**
     * Metadata key; value a {@link Number}: the global index of the event store (the position of a tracking token)
     * the answer must hold every event up to. The wait ends there instead of at the store's head.
     */
    public static final String POSITION_KEY = "parley.readPosition";

    private ReadConsistency() {
    }
}
