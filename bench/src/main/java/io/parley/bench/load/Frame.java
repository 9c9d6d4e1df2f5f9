package io.parley.bench.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * The few fields of a server frame the benchmark looks at, read with Jackson's streaming parser (no tree, no
 * binding: the generator shares a 2-core machine with the server and must stay cheap).
 */
public final class Frame {

    private static final JsonFactory FACTORY = new JsonFactory();

    public String type;
    public String id;
    public String conversationId;
    public String senderId;
    public String text;
    public String code;
    public long seq = -1;

    public static Frame parse(String json) {
        Frame f = new Frame();
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return f;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                switch (name) {
                    case "type" -> f.type = p.getValueAsString();
                    case "id" -> f.id = p.getValueAsString();
                    case "conversationId" -> f.conversationId = p.getValueAsString();
                    case "senderId" -> f.senderId = p.getValueAsString();
                    case "text" -> f.text = p.getValueAsString();
                    case "code" -> f.code = p.getValueAsString();
                    case "seq" -> f.seq = p.getValueAsLong(-1);
                    default -> {
                    }
                }
            }
        } catch (IOException e) {
            f.type = "unparseable";
        }
        return f;
    }
}
