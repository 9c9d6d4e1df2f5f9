package io.parley.axon;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import org.axonframework.common.Registration;
import org.axonframework.common.caching.Cache;

import java.util.List;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Axon's aggregate {@link Cache} on Caffeine: bounded by entry count (least recently used out first) and held by soft
 * references, which the JVM clears only when the heap runs short.
 */
final class AggregateCache implements Cache {

    private final ConcurrentMap<Object, Object> entries;
    private final List<EntryListener> listeners = new CopyOnWriteArrayList<>();

    AggregateCache(int maximumSize) {
        entries = Caffeine.newBuilder()
                .maximumSize(maximumSize)
                .softValues()
                .executor(Runnable::run) // evict on the writing thread: the bound holds at once
                .removalListener((Object key, Object value, RemovalCause cause) -> {
                    if (cause.wasEvicted()) {
                        listeners.forEach(listener -> listener.onEntryExpired(key));
                    }
                })
                .build()
                .asMap();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, V> V get(K key) {
        Object value = entries.get(key);
        if (value != null) {
            listeners.forEach(listener -> listener.onEntryRead(key, value));
        }
        return (V) value;
    }

    @Override
    public void put(Object key, Object value) {
        Object previous = entries.put(key, value);
        listeners.forEach(listener -> {
            if (previous == null) {
                listener.onEntryCreated(key, value);
            } else {
                listener.onEntryUpdated(key, value);
            }
        });
    }

    @Override
    public boolean putIfAbsent(Object key, Object value) {
        boolean added = entries.putIfAbsent(key, value) == null;
        if (added) {
            listeners.forEach(listener -> listener.onEntryCreated(key, value));
        }
        return added;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T computeIfAbsent(Object key, Supplier<T> valueSupplier) {
        return (T) entries.computeIfAbsent(key, k -> valueSupplier.get());
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> void computeIfPresent(Object key, UnaryOperator<V> update) {
        entries.computeIfPresent(key, (k, v) -> update.apply((V) v));
    }

    @Override
    public boolean remove(Object key) {
        boolean removed = entries.remove(key) != null;
        if (removed) {
            listeners.forEach(listener -> listener.onEntryRemoved(key));
        }
        return removed;
    }

    @Override
    public void removeAll() {
        entries.keySet().forEach(this::remove);
    }

    @Override
    public boolean containsKey(Object key) {
        return entries.containsKey(key);
    }

    @Override
    public Registration registerCacheEntryListener(EntryListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
