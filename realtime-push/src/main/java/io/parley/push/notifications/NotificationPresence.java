package io.parley.push.notifications;

import io.parley.notify.PresencePort;
import io.parley.push.presence.PresenceDirectory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The edge's presence as the notification processor's {@link PresencePort}: whoever has a socket open (on this node,
 * or on any push node with Redis presence) is connected and gets no notification.
 */
@Configuration(proxyBeanMethods = false)
class NotificationPresence {

    @Bean
    PresencePort notificationPresencePort(PresenceDirectory presence) {
        return presence::isOnline;
    }
}
