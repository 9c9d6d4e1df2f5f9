package io.parley.notify.sender;

import io.parley.notify.PushTarget;
import io.parley.notify.TargetKind;

import java.util.concurrent.CompletableFuture;

/**
 * Sends a notification to one target of its kind. Never blocks the caller: the answer comes as a future, which the
 * dispatcher bounds with its request timeout. Credentials stay inside the sender: never in an outcome's reason.
 */
public interface PushSender {

    TargetKind kind();

    CompletableFuture<SendOutcome> send(PushTarget target, OutgoingNotification notification);
}
