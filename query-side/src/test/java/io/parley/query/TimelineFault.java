package io.parley.query;

import io.parley.query.store.ReadStores;
import io.parley.query.store.TimelineStore;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * A fault put in front of a real timeline store: an action run before each {@link TimelineStore#appendAll} (a batch's
 * timeline rows), which may throw (a database gone for a moment) or sleep (a slow one). Everything else reaches the
 * store as it is.
 */
public final class TimelineFault {

    /** What runs before each {@code appendAll}; what it throws, {@code appendAll} throws. */
    @FunctionalInterface
    public interface BeforeAppendAll {
        void run() throws Exception;
    }

    private TimelineFault() {
    }

    /** The stores, with the timeline behind the fault. */
    public static ReadStores beforeEachAppendAll(ReadStores stores, BeforeAppendAll fault) {
        TimelineStore timeline = stores.timeline();
        TimelineStore faulty = (TimelineStore) Proxy.newProxyInstance(TimelineStore.class.getClassLoader(),
                new Class<?>[]{TimelineStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("appendAll")) {
                        fault.run();
                    }
                    try {
                        return method.invoke(timeline, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return new ReadStores(faulty, stores.conversations(), stores.inbox(), stores.users(), stores.positions(),
                stores.replies(), stores.mentions(), stores.reactions(), stores.blocks());
    }
}
