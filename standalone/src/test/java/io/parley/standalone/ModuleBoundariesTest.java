package io.parley.standalone;

import io.parley.media.LocalMediaStore;
import io.parley.media.MediaException;
import io.parley.media.MediaService;
import io.parley.media.MediaStore;
import io.parley.media.SignedRequest;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.parley.eventstore.ParleyEventStore;
import io.parley.eventstore.audit.AuditMetadata;
import io.parley.eventstore.audit.ChainVerifier;
import io.parley.eventstore.audit.EventHistory;
import io.parley.eventstore.audit.HashChain;
import io.parley.eventstore.audit.StoredEvent;
import io.parley.eventstore.erasure.ErasureKeys;
import io.parley.eventstore.erasure.TextSeal;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * The rules of the house (DESIGN.md) that keep the sides separable into processes, and the layering of the modules
 * (docs/modules.md): language → infrastructure → features → sides → applications.
 */
class ModuleBoundariesTest {

    /** shared-api: commands, events, queries, views, wire frames. */
    static final String LANGUAGE = "io.parley.api..";
    /**
     * axon-config (the Axon set-up), event-store (where and how events are stored), distributed (across processes),
     * media (the media store port, its drivers, inspection), operations (health, readiness, the management port; the
     * sides record their meters on Micrometer's registry, never through it).
     */
    static final String[] INFRASTRUCTURE = {"io.parley.axon..", "io.parley.eventstore..", "io.parley.distributed..",
            "io.parley.media..", "io.parley.operations.."};
    /** Features with their own port and drivers, which the edge exposes or which run as their own service. */
    static final String[] FEATURES = {"io.parley.notify.."};
    /**
     * command-side, query-side, realtime-push (the edge); each also holds its own application class. search is a side
     * beside the query side (a projection into its own index, and its query handlers).
     */
    static final String[] SIDES = {"io.parley.command..", "io.parley.query..", "io.parley.push..",
            "io.parley.search.."};
    /** standalone (and bench, when it is on the class path). */
    static final String[] APPLICATIONS = {"io.parley.standalone..", "io.parley.bench.."};

    /**
     * What a side may name of the infrastructure: the event store and its read API for audit and erasure. Everything
     * else (engines, serializers, schema, group commit, the command bus, Axon's set-up) reaches a side by
     * auto-configuration, never by import.
     */
    static final DescribedPredicate<JavaClass> EVENT_STORE_API = belongToAnyOf(ParleyEventStore.class,
            EventHistory.class, StoredEvent.class, ChainVerifier.class, HashChain.class, AuditMetadata.class,
            ErasureKeys.class, TextSeal.class, MediaService.class, MediaStore.class, LocalMediaStore.class, MediaException.class,
            MediaException.Problem.class, SignedRequest.class, MediaService.Upload.class, LocalMediaStore.Upload.class,
            LocalMediaStore.Download.class)
            .as("the event store's read API and media sharing's service (with the local driver's URL checks)");

    static JavaClasses parley;

    @BeforeAll
    static void importClasses() {
        parley = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.parley");
    }

    @Test
    void theModulesAreLayeredLanguageInfrastructureSidesApplications() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("language").definedBy(LANGUAGE)
                .layer("infrastructure").definedBy(INFRASTRUCTURE)
                .layer("features").definedBy(FEATURES)
                .layer("sides").definedBy(SIDES)
                .layer("applications").definedBy(APPLICATIONS)
                .whereLayer("applications").mayNotBeAccessedByAnyLayer()
                .whereLayer("sides").mayOnlyBeAccessedByLayers("applications")
                .whereLayer("features").mayOnlyBeAccessedByLayers("sides", "applications")
                .whereLayer("infrastructure").mayOnlyBeAccessedByLayers("features", "sides", "applications")
                .check(parley);
    }

    @Test
    void aFeatureUsesOnlyTheEventStoresReadApiOfTheInfrastructure() {
        noClasses().that().resideInAnyPackage(FEATURES)
                .should().dependOnClassesThat(resideInAnyPackage(INFRASTRUCTURE).and(not(EVENT_STORE_API))
                        .as("are infrastructure internals"))
                .because("a feature reads events through Axon like a side; the store's set-up arrives by"
                        + " auto-configuration")
                .check(parley);
    }

    @Test
    void axonConfigIsConfigurationOnly() {
        noClasses().that().resideInAPackage("io.parley.axon..")
                .should().dependOnClassesThat().resideInAnyPackage("io.parley.eventstore..", "io.parley.distributed..")
                .because("the Axon set-up configures Axon; what it configures lives in modules named for what they are")
                .check(parley);
    }

    @Test
    void theEventStoreKnowsNothingOfHowCommandsTravel() {
        noClasses().that().resideInAPackage("io.parley.eventstore..")
                .should().dependOnClassesThat().resideInAnyPackage("io.parley.distributed..", "io.parley.axon..")
                .because("the event store stands on Axon and the language alone; distributed builds on it (its nudge"
                        + " wakes ParleyEventStore), not the reverse")
                .check(parley);
    }

    @Test
    void theSidesUseOnlyTheEventStoresReadApiOfTheInfrastructure() {
        noClasses().that().resideInAnyPackage(SIDES)
                .should().dependOnClassesThat(resideInAnyPackage(INFRASTRUCTURE).and(not(EVENT_STORE_API))
                        .as("are infrastructure internals"))
                .because("a side (the edge: audit, erasure, fan-out) names only the event store's read API; the rest"
                        + " arrives by auto-configuration")
                .check(parley);
    }

    @Test
    void theEdgeSpeaksToTheOtherSidesOnlyThroughAxonsBuses() {
        noClasses().that().resideInAPackage("io.parley.push..")
                .should().dependOnClassesThat().resideInAnyPackage("io.parley.command..", "io.parley.query..",
                        "io.parley.search..")
                .check(parley);
    }

    @Test
    void searchIsASideOfItsOwnThatNeitherDecidesNorReadsTheOtherSidesReadModels() {
        noClasses().that().resideInAPackage("io.parley.search..")
                .should().dependOnClassesThat().resideInAnyPackage("io.parley.command..", "io.parley.query..",
                        "io.parley.push..")
                .because("search keeps its own index and its own membership data from the event stream")
                .check(parley);
    }

    @Test
    void theCommandSideNeverReadsProjections() {
        noClasses().that().resideInAPackage("io.parley.command..")
                .should().dependOnClassesThat().resideInAnyPackage("io.parley.query..", "io.parley.push..")
                .check(parley);
    }

    @Test
    void theQuerySideNeverDecides() {
        noClasses().that().resideInAPackage("io.parley.query..")
                .should().dependOnClassesThat().resideInAnyPackage("io.parley.command..", "io.parley.push..")
                .check(parley);
    }

    @Test
    void theLanguageDependsOnNoSide() {
        noClasses().that().resideInAPackage("io.parley.api..")
                .should().dependOnClassesThat().resideInAnyPackage("io.parley.command..", "io.parley.query..",
                        "io.parley.push..", "org.springframework..")
                .check(parley);
    }

    @Test
    void theEdgeNeverWritesToMongoOrTheEventStoreDirectly() {
        noClasses().that().resideInAPackage("io.parley.push..")
                .should().dependOnClassesThat().resideInAnyPackage("com.mongodb..",
                        "org.axonframework.eventsourcing.eventstore.jdbc..")
                .check(parley);
    }

    @Test
    void theWriteModelIsPackagePrivate() {
        noClasses().that().resideInAPackage("io.parley.command..")
                .and().doNotHaveSimpleName("CommandSideApplication")
                .should().bePublic()
                .because("aggregates and their state are nobody else's business (STYLE.md rule 9)")
                .check(parley);
    }

    @Test
    void socketInternalsStayInsideTheSocketPackage() {
        noClasses().that().resideInAPackage("io.parley.push.socket..")
                .and().doNotHaveSimpleName("Outbox")
                .should().bePublic()
                .check(parley);
    }
}
