package io.parley.axon;

import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.modelling.command.AnnotationCommandTargetResolver;
import org.axonframework.modelling.command.TargetAggregateIdentifier;
import org.axonframework.modelling.command.TargetAggregateVersion;
import org.axonframework.modelling.command.VersionedAggregateIdentifier;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CachedAnnotationCommandTargetResolverTest {

    record SendText(@TargetAggregateIdentifier String conversationId, String text) {
    }

    record Edit(@TargetAggregateIdentifier String conversationId, @TargetAggregateVersion long expectedVersion) {
    }

    record EditWithTextVersion(@TargetAggregateIdentifier String conversationId,
                               @TargetAggregateVersion String expectedVersion) {
    }

    static class ByGetter {
        @TargetAggregateIdentifier
        private final String field = "from-the-field";

        @TargetAggregateIdentifier
        String target() {
            return "from-the-method";
        }
    }

    static class Inherited extends ByGetter {
    }

    record Untargeted(String conversationId) {
    }

    private final CachedAnnotationCommandTargetResolver resolver = new CachedAnnotationCommandTargetResolver();
    private final AnnotationCommandTargetResolver axons = AnnotationCommandTargetResolver.builder().build();

    private VersionedAggregateIdentifier resolve(Object payload) {
        VersionedAggregateIdentifier target = resolver.resolveTarget(GenericCommandMessage.asCommandMessage(payload));
        assertThat(target).isEqualTo(axons.resolveTarget(GenericCommandMessage.asCommandMessage(payload)));
        return target;
    }

    @Test
    void aCommandTargetsTheAggregateItsAnnotatedComponentNamesWithoutAVersion() {
        VersionedAggregateIdentifier target = resolve(new SendText("c-1", "hi"));

        assertThat(target.getIdentifier()).isEqualTo("c-1");
        assertThat(target.getVersion()).isNull();
    }

    @Test
    void theSameClassResolvedAgainGivesEachCommandItsOwnTarget() {
        assertThat(resolve(new SendText("c-1", "hi")).getIdentifier()).isEqualTo("c-1");
        assertThat(resolve(new SendText("c-2", "hi")).getIdentifier()).isEqualTo("c-2");
    }

    @Test
    void theExpectedVersionIsTheAnnotatedNumberOrTextHoldingOne() {
        assertThat(resolve(new Edit("c-1", 7)).getVersion()).isEqualTo(7L);
        assertThat(resolve(new EditWithTextVersion("c-1", "8")).getVersion()).isEqualTo(8L);
        assertThat(resolve(new EditWithTextVersion("c-1", null)).getVersion()).isNull();
    }

    @Test
    void anAnnotatedMethodWinsOverAnAnnotatedFieldAndIsInherited() {
        assertThat(resolve(new ByGetter()).getIdentifier()).isEqualTo("from-the-method");
        assertThat(resolve(new Inherited()).getIdentifier()).isEqualTo("from-the-method");
    }

    @Test
    void aCommandWithoutATargetOrWithANullOneIsRefusedAsAxonRefusesIt() {
        assertThatThrownBy(() -> resolver.resolveTarget(GenericCommandMessage.asCommandMessage(new Untargeted("c-1"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("It does not identify the target aggregate")
                .hasMessageContaining("[Untargeted]");
        assertThatThrownBy(() -> resolver.resolveTarget(GenericCommandMessage.asCommandMessage(new SendText(null, "x"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[SendText]");
    }

    @Test
    void aVersionThatIsNotANumberIsRefused() {
        assertThatThrownBy(() -> resolver.resolveTarget(
                GenericCommandMessage.asCommandMessage(new EditWithTextVersion("c-1", "seven"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The value provided for the version is not a number.");
    }
}
