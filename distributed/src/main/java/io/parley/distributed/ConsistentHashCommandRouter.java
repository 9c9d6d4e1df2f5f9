package io.parley.distributed;

import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.distributed.AnnotationRoutingStrategy;
import org.axonframework.commandhandling.distributed.CommandMessageFilter;
import org.axonframework.commandhandling.distributed.CommandRouter;
import org.axonframework.commandhandling.distributed.ConsistentHash;
import org.axonframework.commandhandling.distributed.Member;
import org.axonframework.commandhandling.distributed.RoutingStrategy;
import org.axonframework.commandhandling.distributed.SimpleMember;
import org.axonframework.commandhandling.distributed.UnresolvedRoutingKeyPolicy;
import org.axonframework.commandhandling.distributed.commandfilter.AcceptAll;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Routes each command to one of a fixed list of command-side nodes by consistent hashing on its routing key (the
 * {@code @TargetAggregateIdentifier}: the conversation or user id), so all commands of one conversation reach the
 * same node and find its aggregate in that node's cache. Membership is static (configuration, not discovery):
 * {@link #updateMembership} is about handlers on this node, which a dispatch-only node does not offer remotely.
 */
public class ConsistentHashCommandRouter implements CommandRouter {

    private static final Logger log = LoggerFactory.getLogger(ConsistentHashCommandRouter.class);

    private final RoutingStrategy routing;
    private final ConsistentHash hash;

    public ConsistentHashCommandRouter(List<URI> nodes) {
        this(nodes, AnnotationRoutingStrategy.builder()
                .fallbackRoutingStrategy(UnresolvedRoutingKeyPolicy.RANDOM_KEY).build());
    }

    public ConsistentHashCommandRouter(List<URI> nodes, RoutingStrategy routing) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("at least one command-side URL is needed (parley.command-side.url)");
        }
        this.routing = routing;
        ConsistentHash ring = new ConsistentHash();
        for (URI node : nodes) {
            URI base = node.toString().endsWith("/") ? node : URI.create(node + "/");
            Member member = new SimpleMember<>(base.toString(), base, SimpleMember.REMOTE_MEMBER,
                    suspect -> log.debug("command side {} suspected", suspect.name()));
            ring = ring.with(member, 100, AcceptAll.INSTANCE);
        }
        this.hash = ring;
    }

    @Override
    public Optional<Member> findDestination(CommandMessage<?> command) {
        return hash.getMember(routing.getRoutingKey(command), command);
    }

    @Override
    public void updateMembership(int loadFactor, CommandMessageFilter commandFilter) {
        // static membership: nothing to announce
    }

    /** The nodes on the ring (for logs and tests). */
    public List<String> nodes() {
        return hash.getMembers().stream().map(Member::name).sorted().toList();
    }
}
