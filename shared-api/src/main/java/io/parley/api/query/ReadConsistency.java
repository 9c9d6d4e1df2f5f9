package io.parley.api.query;

/**
 * How fresh a query's answer must be, said in its metadata. By default a read model answers only once it holds every
 * event committed before the query arrived (read-your-writes; the query side's {@code ConsistencyBarrier}).
 * A caller that already knows the answer lies within what an earlier, waiting query established may say so and skip
 * the wait: {@code sync} pages through history up to the {@code lastSeq} its conversation list (which waited) gave it,
 * and waiting again for every newer event while the projection catches up would only slow it down.
 */
public final class ReadConsistency {

    /** Metadata key; value {@link #ESTABLISHED}: no wait, what is needed is in the read model already. */
    public static final String KEY = "parley.readConsistency";
    public static final String ESTABLISHED = "established";

    private ReadConsistency() {
    }
}
