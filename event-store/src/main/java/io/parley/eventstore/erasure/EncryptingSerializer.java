package io.parley.eventstore.erasure;

import io.parley.api.conversation.ConversationEvents.MessageEdited;
import io.parley.api.conversation.ConversationEvents.MessageSent;
import org.axonframework.serialization.Converter;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.SerializedType;
import org.axonframework.serialization.Serializer;

import java.util.function.Supplier;

/**
 * The event serializer with message text encrypted on the way into the event store and decrypted on the way out, so
 * aggregates, projections and the edge keep working with plain records. The text of {@code MessageSent} and
 * {@code MessageEdited} is encrypted with the sender's key ({@link TextCipher}); once that key is erased the text
 * reads as {@code null}. Everything else passes through unchanged.
 */
public class EncryptingSerializer implements Serializer {

    private final Serializer delegate;
    private final Supplier<TextCipher> cipher;

    /** @param cipher resolved on first use; null when there is no key store (then this decorator passes through) */
    public EncryptingSerializer(Serializer delegate, Supplier<TextCipher> cipher) {
        this.delegate = delegate;
        this.cipher = cipher;
    }

    public Serializer delegate() {
        return delegate;
    }

    @Override
    public <T> SerializedObject<T> serialize(Object object, Class<T> expectedRepresentation) {
        return delegate.serialize(encrypt(object), expectedRepresentation);
    }

    @Override
    public <T> boolean canSerializeTo(Class<T> expectedRepresentation) {
        return delegate.canSerializeTo(expectedRepresentation);
    }

    @Override
    public <S, T> T deserialize(SerializedObject<S> serializedObject) {
        T object = delegate.deserialize(serializedObject);
        @SuppressWarnings("unchecked")
        T decrypted = (T) decrypt(object);
        return decrypted;
    }

    @Override
    public Class classForType(SerializedType type) {
        return delegate.classForType(type);
    }

    @Override
    public SerializedType typeForClass(Class type) {
        return delegate.typeForClass(type);
    }

    @Override
    public Converter getConverter() {
        return delegate.getConverter();
    }

    private Object encrypt(Object object) {
        TextCipher c;
        if (object instanceof MessageSent e && e.text() != null && !TextCipher.isEncrypted(e.text())
                && (c = cipher.get()) != null) {
            return e.withText(c.encrypt(e.senderId(), context(e.conversationId(), e.messageId()), e.text()));
        }
        if (object instanceof MessageEdited e && e.text() != null && !TextCipher.isEncrypted(e.text())
                && (c = cipher.get()) != null) {
            // only a message's sender may edit it, so the editor's key is the sender's
            return new MessageEdited(e.conversationId(), e.messageId(), e.seq(), e.editorId(),
                    c.encrypt(e.editorId(), context(e.conversationId(), e.messageId()), e.text()), e.editedAt());
        }
        return object;
    }

    private Object decrypt(Object object) {
        TextCipher c;
        if (object instanceof MessageSent e && TextCipher.isEncrypted(e.text()) && (c = cipher.get()) != null) {
            return e.withText(c.decrypt(context(e.conversationId(), e.messageId()), e.text()).orElse(null));
        }
        if (object instanceof MessageEdited e && TextCipher.isEncrypted(e.text()) && (c = cipher.get()) != null) {
            return new MessageEdited(e.conversationId(), e.messageId(), e.seq(), e.editorId(),
                    c.decrypt(context(e.conversationId(), e.messageId()), e.text()).orElse(null), e.editedAt());
        }
        return object;
    }

    private static String context(String conversationId, String messageId) {
        return conversationId + "/" + messageId;
    }
}
