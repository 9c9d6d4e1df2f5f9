package io.parley.eventstore.h2;

import org.axonframework.config.ConfigurerModule;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Group commit serves an H2 file, opened plainly or through H2's {@code retry:} file system (the standalone URL), and
 * nothing else. The streaming processors commit asynchronously only where their tokens are in the same H2 file as what
 * they write (a token elsewhere would be durable at once and stay ahead of lost writes), and only while that is not
 * turned off.
 */
class GroupCommitAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(GroupCommitAutoConfiguration.class))
            .withPropertyValues("spring.datasource.url=jdbc:h2:file:./target/never-opened");

    @Test
    void processorsCommitAsynchronouslyWithTheirTokensInTheH2File() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(GroupCommit.class);
            assertThat(context).hasBean("parleyH2AsynchronousProcessorCommits");
            assertThat(context.getBean("parleyH2AsynchronousProcessorCommits")).isInstanceOf(ConfigurerModule.class);
        });
    }

    @Test
    void processorsWaitForTheFileWhenTheirTokensAreInMongo() {
        runner.withPropertyValues("parley.token-store=mongo").run(context -> {
            assertThat(context).hasSingleBean(GroupCommit.class);
            assertThat(context).doesNotHaveBean("parleyH2AsynchronousProcessorCommits");
        });
    }

    @Test
    void processorsWaitForTheFileWhenTurnedOff() {
        runner.withPropertyValues("parley.h2.asynchronous-processor-commits=false")
                .run(context -> assertThat(context).doesNotHaveBean("parleyH2AsynchronousProcessorCommits"));
    }

    @Test
    void anAutoCommitBufferOutsideOneTo64MegabytesStopsTheStartWithTheReason() {
        runner.withPropertyValues("parley.h2.auto-commit-buffer-size=4").run(context ->
                assertThat(context).getFailure().hasRootCauseMessage("parley.h2.auto-commit-buffer-size must be 0"
                        + " (H2's own) or between 1MB and 64MB, not 4B"));
        runner.withPropertyValues("parley.h2.auto-commit-buffer-size=256MB").run(context ->
                assertThat(context).hasFailed());
        runner.withPropertyValues("parley.h2.auto-commit-buffer-size=0").run(context ->
                assertThat(context).hasSingleBean(GroupCommit.class));
    }

    @Test
    void groupCommitServesAnH2FileAlsoThroughTheRetryFileSystemAndNoOtherDatabase() {
        runner.withPropertyValues("spring.datasource.url=jdbc:h2:retry:file:./target/never-opened")
                .run(context -> assertThat(context).hasSingleBean(GroupCommit.class));
        runner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:parley")
                .run(context -> assertThat(context).doesNotHaveBean(GroupCommit.class));
        runner.withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test")
                .run(context -> assertThat(context).doesNotHaveBean(GroupCommit.class));
    }
}
