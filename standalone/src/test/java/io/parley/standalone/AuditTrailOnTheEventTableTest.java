package io.parley.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link AuditTrailTest}'s tamper evidence with the events in Axon's table ({@code parley.event-store=jdbc}, the
 * distributed mode's store and the standalone mode's before the event log): a row rewritten in the table breaks the
 * chain there.
 */
class AuditTrailOnTheEventTableTest {

    @TempDir
    Path dataDir;

    @Test
    void verificationNamesTheFirstEventAlteredInTheTable() throws Exception {
        try (RunningParley parley = RunningParley.start(dataDir, "parley.roles.auditors=auditor_one",
                "parley.event-store=jdbc")) {
            ParleyClient auditor = ParleyClient.signUpExactly(parley, "auditor_one");
            ParleyClient alice = ParleyClient.signUp(parley, "alice");
            ParleyClient bob = ParleyClient.signUp(parley, "bob");
            String conversation = AuditTrailTest.fourMessagesVerified(alice, bob, auditor);

            DataSource dataSource = parley.bean(DataSource.class);
            try (Connection connection = dataSource.getConnection()) {
                byte[] payload;
                try (PreparedStatement read = connection.prepareStatement(
                        "SELECT payload FROM DomainEventEntry WHERE aggregateIdentifier = ? AND sequenceNumber = 2")) {
                    read.setString(1, conversation);
                    try (ResultSet rows = read.executeQuery()) {
                        rows.next();
                        payload = rows.getBytes(1);
                    }
                }
                String altered = new String(payload, StandardCharsets.UTF_8).replace("\"senderId\":\"" + alice.userId,
                        "\"senderId\":\"" + bob.userId);
                assertThat(altered).isNotEqualTo(new String(payload, StandardCharsets.UTF_8));
                try (PreparedStatement write = connection.prepareStatement("UPDATE DomainEventEntry SET payload = ?"
                        + " WHERE aggregateIdentifier = ? AND sequenceNumber = 2")) {
                    write.setBytes(1, altered.getBytes(StandardCharsets.UTF_8));
                    write.setString(2, conversation);
                    assertThat(write.executeUpdate()).isEqualTo(1);
                }
            }
            JsonNode broken = auditor.call("GET", "/api/audit/conversations/" + conversation + "/verify", null).body();
            assertThat(broken.get("valid").asBoolean()).isFalse();
            assertThat(broken.get("brokenAtSequence").asLong()).isEqualTo(2);
            assertThat(broken.get("reason").asText()).contains("hash");
        }
    }
}
