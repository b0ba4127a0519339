package io.dataland.kit;

import io.dataland.kit.config.CredentialGuard;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** One dispatcher for both Mains: the shared commands first, then the service's own, in the usage line. */
class ServiceMainTest {

    @Test
    void usageListsServeTheSharedCommandsAndTheServicesOwn() {
        ServiceMain main = ServiceMain.of("auth", CredentialGuard.Service.AUTH, settings -> {
            throw new AssertionError("not served");
        }).command("remove-key", "remove-key KID", (name, args, settings, out, err) -> 0);
        assertEquals("usage: auth [serve | check-env --env-file PATH [--production] | db-stats [--limit N]"
                + " | remove-key KID]", main.usage());
    }
}
