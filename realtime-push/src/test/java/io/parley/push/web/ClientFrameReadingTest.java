package io.parley.push.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import io.parley.api.wire.ClientFrame;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.core.codec.DecodingException;
import org.springframework.web.server.ServerWebInputException;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Client frames read into their records by the input policy's strict mapper: the {@code type} picks the record, the
 * record's constructor checks what is required, and every refusal has a message that names the field, the same
 * message the HTTP door gives for the same fault.
 */
class ClientFrameReadingTest {

    private final InputPolicy input = new InputPolicy(new StaticListableBeanFactory().getBeanProvider(ObjectMapper.class));

    @Test
    void everyFrameTypeIsReadIntoItsRecord() throws Exception {
        assertThat(read("{\"type\":\"send\",\"id\":\"m1\",\"conversationId\":\"g-1\",\"text\":\"hi\"}"))
                .isEqualTo(new ClientFrame.Send("m1", "g-1", "hi"));
        assertThat(read("{\"type\":\"delivered\",\"conversationId\":\"g-1\",\"upToSeq\":3}"))
                .isEqualTo(new ClientFrame.Delivered(null, "g-1", 3L));
        assertThat(read("{\"type\":\"read\",\"id\":\"r\",\"conversationId\":\"g-1\",\"upToSeq\":3}"))
                .isEqualTo(new ClientFrame.Read("r", "g-1", 3L));
        assertThat(read("{\"type\":\"edit\",\"conversationId\":\"g-1\",\"seq\":2,\"text\":\"new\"}"))
                .isEqualTo(new ClientFrame.Edit(null, "g-1", 2L, "new"));
        assertThat(read("{\"type\":\"delete\",\"conversationId\":\"g-1\",\"seq\":2}"))
                .isEqualTo(new ClientFrame.Delete(null, "g-1", 2L));
        assertThat(read("{\"type\":\"typing\",\"conversationId\":\"g-1\"}"))
                .isEqualTo(new ClientFrame.Typing(null, "g-1"));
        assertThat(read("{\"type\":\"sync\",\"id\":\"s\",\"since\":{\"g-1\":4,\"d-2\":0}}"))
                .isEqualTo(new ClientFrame.Sync("s", Map.of("g-1", 4L, "d-2", 0L)));
        assertThat(read("{\"type\":\"sync\",\"id\":\"s\"}")).isEqualTo(new ClientFrame.Sync("s", Map.of()));
        assertThat(read("{\"type\":\"ping\",\"id\":\"p\"}")).isEqualTo(new ClientFrame.Ping("p"));
    }

    @Test
    void fieldsAFrameDoesNotDefineAreIgnored() throws Exception {
        assertThat(read("{\"type\":\"ping\",\"id\":\"p\",\"pad\":\"xxxx\",\"since\":[1]}"))
                .isEqualTo(new ClientFrame.Ping("p"));
    }

    @Test
    void aDuplicateKeyIsRefusedWithItsName() {
        assertThat(refusal("{\"type\":\"send\",\"type\":\"ping\",\"id\":\"p\"}"))
                .isEqualTo("malformed JSON body: duplicate key 'type' (a key may appear once in an object)");
        assertThat(refusal("{\"type\":\"sync\",\"since\":{\"g-1\":1,\"g-1\":2}}"))
                .isEqualTo("malformed JSON body: duplicate key 'g-1' (a key may appear once in an object)");
    }

    @Test
    void anythingAfterTheFrameIsRefused() throws Exception {
        for (String tail : java.util.List.of(" {\"x\":1}", "garbage", "}", "]", " 1", " \"s\"", "{")) {
            assertThat(refusal("{\"type\":\"ping\",\"id\":\"p\"}" + tail)).as(tail).isEqualTo(
                    "malformed JSON body: more after the end of the JSON value (send exactly one JSON object)");
        }
        assertThat(read("{\"type\":\"ping\",\"id\":\"p\"} \r\n\t")).isEqualTo(new ClientFrame.Ping("p"));
    }

    @Test
    void anUnknownOrMissingTypeIsARefusalThatSaysSo() {
        assertThatThrownBy(() -> read("{\"type\":\"teleport\",\"id\":\"x\"}"))
                .isInstanceOfSatisfying(InvalidTypeIdException.class, e -> assertThat(e.getTypeId()).isEqualTo("teleport"));
        assertThatThrownBy(() -> read("{\"type\":\"SEND\"}")).isInstanceOf(InvalidTypeIdException.class);
        assertThatThrownBy(() -> read("{\"id\":\"x\"}"))
                .isInstanceOfSatisfying(InvalidTypeIdException.class, e -> assertThat(e.getTypeId()).isNull());
        assertThatThrownBy(() -> read("{\"type\":null,\"id\":\"x\"}"))
                .isInstanceOfSatisfying(InvalidTypeIdException.class, e -> assertThat(e.getTypeId()).isNull());
    }

    @Test
    void aMissingFieldIsNamed() {
        assertThat(refusal("{\"type\":\"send\",\"id\":\"m\",\"conversationId\":\"g-1\"}")).isEqualTo("'text' is required");
        assertThat(refusal("{\"type\":\"send\",\"conversationId\":\"g-1\",\"text\":\"hi\"}")).isEqualTo("'id' is required");
        assertThat(refusal("{\"type\":\"read\",\"conversationId\":\"g-1\",\"upToSeq\":null}"))
                .isEqualTo("'upToSeq' is required");
        assertThat(refusal("{\"type\":\"delete\",\"seq\":1}")).isEqualTo("'conversationId' is required");
        assertThat(refusal("{\"type\":\"edit\",\"conversationId\":\"g-1\",\"text\":\"x\"}")).isEqualTo("'seq' is required");
    }

    @Test
    void aMistypedValueIsNamedWithWhatItMustBe() {
        assertThat(refusal("{\"type\":\"read\",\"conversationId\":\"g-1\",\"upToSeq\":2.0}"))
                .isEqualTo("malformed JSON body: bad value for 'upToSeq': must be an integer");
        assertThat(refusal("{\"type\":\"delete\",\"conversationId\":\"g-1\",\"seq\":\"1\"}"))
                .isEqualTo("malformed JSON body: bad value for 'seq': must be an integer");
        assertThat(refusal("{\"type\":\"send\",\"id\":\"m\",\"conversationId\":\"g-1\",\"text\":12345}"))
                .isEqualTo("malformed JSON body: bad value for 'text': must be a string");
        assertThat(refusal("{\"type\":\"send\",\"id\":\"m\",\"conversationId\":\"g-1\",\"text\":\"a\\ud800\"}"))
                .startsWith("malformed JSON body: bad value for 'text': must be well-formed Unicode");
        assertThat(refusal("{\"type\":\"sync\",\"since\":{\"g-1\":\"3\"}}"))
                .isEqualTo("malformed JSON body: bad value for 'since.g-1': must be an integer");
        assertThat(refusal("{\"type\":\"sync\",\"since\":[1]}"))
                .isEqualTo("malformed JSON body: bad value for 'since': must be an object");
        assertThat(refusal("{\"type\":\"sync\",\"since\":{\"g-1\":-1}}"))
                .isEqualTo("'since.g-1' must be a seq (integer >= 0)");
    }

    @Test
    void anIdIsAStringOf1To128Characters() {
        String limit = "i".repeat(128);
        assertThat(refusal("{\"type\":\"ping\",\"id\":\"\"}")).isEqualTo("'id' must be a string of 1 to 128 characters");
        assertThat(refusal("{\"type\":\"ping\",\"id\":\"" + limit + "i\"}"))
                .isEqualTo("'id' must be a string of 1 to 128 characters");
        assertThat(refusal("{\"type\":\"ping\",\"id\":7}")).isEqualTo("malformed JSON body: bad value for 'id': must be a string");
        assertThat(new ClientFrame.Ping(limit).id()).isEqualTo(limit);
    }

    @Test
    void aConstructorsRefusalIsTheAnswerAlsoInsideTheWebLayersWrappers() throws Exception {
        JsonProcessingException refused = refusalOf("{\"type\":\"read\",\"conversationId\":\"g-1\"}");
        Throwable overHttp = new ServerWebInputException("Failed to read HTTP message", null,
                new DecodingException("JSON decoding error", refused));

        assertThat(ErrorCode.classify(overHttp, false)).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(ErrorCode.classify(refused, true)).isEqualTo(ErrorCode.BAD_FRAME);
        assertThat(ErrorCode.messageOf(overHttp, ErrorCode.BAD_REQUEST)).isEqualTo("'upToSeq' is required");
    }

    private ClientFrame read(String text) throws JsonProcessingException {
        return input.read(input.readTree(text), ClientFrame.class);
    }

    private String refusal(String text) {
        return ErrorCode.messageOf(refusalOf(text), ErrorCode.BAD_FRAME);
    }

    private JsonProcessingException refusalOf(String text) {
        try {
            throw new AssertionError("read " + read(text) + " from " + text);
        } catch (JsonProcessingException e) {
            return e;
        }
    }
}
