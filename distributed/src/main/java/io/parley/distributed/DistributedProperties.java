package io.parley.distributed;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/** The properties of Parley's distributed mode, by prefix. */
public final class DistributedProperties {

    private DistributedProperties() {
    }

    /**
     * Where a node with {@code parley.command-bus=http} sends its commands ({@code parley.command-side.*}).
     *
     * @param url     the command-side nodes (comma-separated); with several, commands are spread by consistent
     *                hashing on the conversation (or user) id
     * @param timeout how long a command may take, from sending to its answer
     */
    @ConfigurationProperties(prefix = "parley.command-side")
    public record CommandSide(@DefaultValue("http://127.0.0.1:8081") List<URI> url,
                              @DefaultValue("15s") Duration timeout) {
    }

    /**
     * The command side's internal HTTP endpoint ({@code parley.command-endpoint.*}).
     *
     * @param enabled whether this process accepts commands from other processes (the command-side application turns
     *                it on)
     * @param address the interface to listen on
     * @param port    its port
     * @param threads commands executed at once (each holds a JDBC connection while it runs)
     */
    @ConfigurationProperties(prefix = "parley.command-endpoint")
    public record CommandEndpointSettings(@DefaultValue("false") boolean enabled,
                                          @DefaultValue("0.0.0.0") String address,
                                          @DefaultValue("8081") int port,
                                          @DefaultValue("16") int threads) {
    }

    /**
     * Secrets shared by Parley's processes ({@code parley.internal.*}).
     *
     * @param secret presented by dispatching nodes to the command endpoint; required wherever commands cross
     *               processes
     */
    @ConfigurationProperties(prefix = "parley.internal")
    public record Internal(String secret) {
    }

    /**
     * Redis, for event-store nudges and presence across push nodes ({@code parley.redis.*}).
     *
     * @param uri       a Redis URI ({@code redis://host:6379/0}; the path selects the database)
     * @param keyPrefix prefix of every key and channel, so several deployments (or test runs) can share one Redis
     */
    @ConfigurationProperties(prefix = "parley.redis")
    public record Redis(@DefaultValue("redis://127.0.0.1:6379") String uri,
                        @DefaultValue("parley") String keyPrefix) {
    }
}
