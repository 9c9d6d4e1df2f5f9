package io.parley.standalone;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The rules of the house (DESIGN.md) that keep the sides separable into processes. */
class ModuleBoundariesTest {

    static JavaClasses parley;

    @BeforeAll
    static void importClasses() {
        parley = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.parley");
    }

    @Test
    void theEdgeSpeaksToTheOtherSidesOnlyThroughAxonsBuses() {
        noClasses().that().resideInAPackage("io.parley.push..")
                .should().dependOnClassesThat().resideInAnyPackage("io.parley.command..", "io.parley.query..")
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
