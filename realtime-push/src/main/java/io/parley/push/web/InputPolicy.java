package io.parley.push.web;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.http.codec.json.Jackson2JsonDecoder;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.config.WebFluxConfigurer;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/**
 * The one reading of client input: HTTP request bodies (WebFlux's JSON decoder) and socket frames read their values
 * with the same mapper, so the same value is accepted or refused the same way at both doors.
 * <ul>
 *     <li>A value has its JSON type: an integer is a JSON integer (not {@code 2.9}, {@code 2.0} or {@code "2"}), text
 *     is a JSON string (not {@code 12345}), a boolean is {@code true} or {@code false}. Nothing is coerced or
 *     truncated.</li>
 *     <li>Text is well-formed UTF-16: a lone surrogate (which JSON lets through as a {@code \ud800} escape) is refused.
 *     It could only be stored or sent on by replacing it, and a message must arrive as it was written or not at
 *     all.</li>
 *     <li>A body or frame is one JSON value: anything but white space after it ({@code {"type":"ping"} {"x":1}},
 *     {@code {...}garbage}) is refused, not ignored.</li>
 *     <li>A key appears once in an object: {@code {"type":"send","type":"ping"}} is refused, since which of the two
 *     counts is a guess (Jackson took the last, other readers take the first).</li>
 *     <li>A key the server does not know is ignored (Spring's default, kept; frames say so with
 *     {@code @JsonIgnoreProperties}): the contract lets a later version add fields (PROTOCOL.md, "add, never rename"),
 *     and a client written for it must still be understood here.</li>
 * </ul>
 * A refusal is a {@link JsonMappingException} with the field's path; {@link ErrorCode#messageOf} words it the same
 * for both doors. The application's own {@code ObjectMapper} (answers, events, Redis) is left as it is: only what
 * clients send is read this strictly.
 */
@Component
public class InputPolicy implements WebFluxConfigurer {

    private final ObjectMapper json;

    InputPolicy(ObjectProvider<ObjectMapper> application) {
        ObjectMapper strict = application.getIfAvailable(() -> Jackson2ObjectMapperBuilder.json().build()).copy()
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature())
                .registerModule(new SimpleModule("parley-input").addDeserializer(String.class, new WellFormedText()));
        strict.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        strict.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        strict.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        strict.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        this.json = strict;
    }

    /**
     * Request bodies are read by this policy; answers are still written by the application's mapper. Unordered, so
     * this runs after Boot's codec set-up (order 0), whose size limit it keeps.
     */
    @Override
    public void configureHttpMessageCodecs(ServerCodecConfigurer codecs) {
        codecs.defaultCodecs().jackson2JsonDecoder(new Jackson2JsonDecoder(json));
    }

    /** A socket frame as a tree, then read as a record with {@link #read}. */
    public JsonNode readTree(String text) throws JsonProcessingException {
        return json.readTree(text);
    }

    /**
     * {@code tree} as {@code type}, by the rules of request bodies; a refusal names the field it is about (a record's
     * constructor refusing comes as a {@code ValueInstantiationException} around the constructor's exception).
     */
    public <T> T read(JsonNode tree, Class<T> type) throws JsonProcessingException {
        return json.treeToValue(tree, type);
    }

    /**
     * What is wrong with the shape of a body or frame that is not JSON by this policy: a duplicate key, or more after
     * the first value; null for any other fault. Words for both doors.
     */
    static String shapeFault(JsonProcessingException refusal) {
        String original = refusal.getOriginalMessage();
        if (refusal instanceof JsonParseException && original != null && original.startsWith(DUPLICATE)) {
            int end = original.indexOf('\'', DUPLICATE.length());
            return "duplicate key '" + original.substring(DUPLICATE.length(), end < 0 ? original.length() : end)
                    + "' (a key may appear once in an object)";
        }
        if (refusal instanceof MismatchedInputException && original != null && original.startsWith("Trailing token")) {
            return TRAILING; // FAIL_ON_TRAILING_TOKENS: a second value after the first
        }
        // Something unreadable after a complete first value ({...}garbage, a stray '}'): the parser is back at the
        // root, which counts a second value once it starts reading one ("garbage" alone is the first); a stray close
        // marker or control character is refused before that count, so there one value means it was complete.
        if (refusal instanceof JsonParseException && refusal.getProcessor() instanceof JsonParser parser
                && original != null) {
            JsonStreamContext root = parser.getParsingContext();
            if (root != null && root.inRoot() && (root.getEntryCount() >= 2 || (root.getEntryCount() == 1
                    && (original.startsWith("Unexpected close marker") || original.startsWith("Illegal character"))))) {
                return TRAILING;
            }
        }
        return null;
    }

    /** Jackson's wording of a STRICT_DUPLICATE_DETECTION refusal: "Duplicate field 'NAME'". */
    private static final String DUPLICATE = "Duplicate field '";
    private static final String TRAILING = "more after the end of the JSON value (send exactly one JSON object)";

    /** What a refused value should have been, for the message; null when the refusal says nothing about it. */
    static String expectation(JsonMappingException refusal) {
        if (refusal instanceof LoneSurrogate) {
            return "must be well-formed Unicode (a lone surrogate is not a character)";
        }
        return expectation(refusal instanceof MismatchedInputException mismatch ? mismatch.getTargetType() : null);
    }

    /** What a value of {@code type} must be, in the client's words (JSON's, or a parameter's); null if unknown. */
    static String expectation(Class<?> type) {
        if (type == null) {
            return null;
        } else if (type == String.class) {
            return "must be a string";
        } else if (type == Long.class || type == long.class || type == Integer.class || type == int.class) {
            return "must be an integer";
        } else if (type == Boolean.class || type == boolean.class) {
            return "must be true or false";
        } else if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "must be an array";
        } else if (Map.class.isAssignableFrom(type)) {
            return "must be an object";
        }
        return null;
    }

    /** Every string of client input goes through here: as sent, or refused. */
    private static final class WellFormedText extends StringDeserializer {

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String text = super.deserialize(parser, context);
            if (text != null && hasLoneSurrogate(text)) {
                throw new LoneSurrogate(parser, text);
            }
            return text;
        }

        private static boolean hasLoneSurrogate(String text) {
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final class LoneSurrogate extends InvalidFormatException {

        LoneSurrogate(JsonParser parser, String text) {
            super(parser, "text with a lone surrogate", text, String.class);
        }
    }
}
