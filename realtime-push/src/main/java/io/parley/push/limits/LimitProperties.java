package io.parley.push.limits;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Per-user limits of the edge ({@code parley.limits.*}). Each rate is a token bucket: {@code *PerSecond} refills
 * steadily, {@code *Burst} is how much may be spent at once.
 *
 * @param sendsPerSecond       messages a user may send (socket and HTTP together)
 * @param sendsBurst           ... at once
 * @param framesPerSecond      socket frames of any kind a user may send
 * @param framesBurst          ... at once
 * @param typingPerSecond      typing frames a user may send (they are throttled for recipients anyway)
 * @param typingBurst          ... at once
 * @param httpPerSecond        authenticated HTTP calls a user may make
 * @param httpBurst            ... at once
 * @param connectionsPerUser   sockets one user may hold open on one node
 */
@ConfigurationProperties(prefix = "parley.limits")
public record LimitProperties(@DefaultValue("20") int sendsPerSecond,
                              @DefaultValue("60") int sendsBurst,
                              @DefaultValue("100") int framesPerSecond,
                              @DefaultValue("300") int framesBurst,
                              @DefaultValue("5") int typingPerSecond,
                              @DefaultValue("10") int typingBurst,
                              @DefaultValue("20") int httpPerSecond,
                              @DefaultValue("100") int httpBurst,
                              @DefaultValue("10") int connectionsPerUser) {
}
