package io.parley.push.block;

import io.parley.api.user.UserQueries.BlockedUser;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

import java.security.Principal;
import java.util.List;

/**
 * The caller's block list: {@code GET /api/blocks} (oldest first), {@code PUT /api/blocks/{userId}} (204, also when
 * already blocked; 404 for an unknown user), {@code DELETE /api/blocks/{userId}} (204, also when not blocked).
 */
@RestController
@RequestMapping("/api/blocks")
class BlockController {

    private final BlockList blocks;

    BlockController(BlockList blocks) {
        this.blocks = blocks;
    }

    @GetMapping
    Mono<List<BlockedUser>> list(Principal principal) {
        return blocks.list(principal.getName());
    }

    @PutMapping("/{userId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> block(Principal principal, @PathVariable String userId) {
        return blocks.block(principal.getName(), userId);
    }

    @DeleteMapping("/{userId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> unblock(Principal principal, @PathVariable String userId) {
        return blocks.unblock(principal.getName(), userId);
    }
}
