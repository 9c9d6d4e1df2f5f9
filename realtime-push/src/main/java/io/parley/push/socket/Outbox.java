package io.parley.push.socket;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.stereotype.Component;

/** Sends a frame to every socket a user has open on this node. For services outside the socket package. */
@Component
public class Outbox {

    private final ConnectionRegistry registry;
    private final ObjectMapper json;

    Outbox(ConnectionRegistry registry, ObjectMapper json) {
        this.registry = registry;
        this.json = json;
    }

    public void toUser(String userId, Object frame) {
        if (!registry.isConnected(userId)) {
            return;
        }
        String text = Frames.write(json, frame);
        registry.of(userId).forEach(connection -> connection.send(text));
    }

    public boolean isConnectedHere(String userId) {
        return registry.isConnected(userId);
    }
}
