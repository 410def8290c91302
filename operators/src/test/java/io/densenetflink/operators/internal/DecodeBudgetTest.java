package io.densenetflink.operators.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DecodeBudgetTest {

    @Test
    void aDecodeWaitsUntilTheOthersLeaveRoomAndNeverExceedsTheBudget() throws Exception {
        DecodeBudget budget = new DecodeBudget(100);
        budget.acquire(60);
        budget.acquire(40);
        CompletableFuture<Void> third = CompletableFuture.runAsync(() -> {
            try {
                budget.acquire(50);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200);
        assertFalse(third.isDone(), "100 of 100 bytes taken: the third waits");
        budget.release(40);
        Thread.sleep(100);
        assertFalse(third.isDone(), "60 + 50 > 100: still waiting");
        budget.release(60);
        third.get(10, TimeUnit.SECONDS);
        assertEquals(50, budget.used());
    }

    @Test
    void aFrameAsLargeAsTheWholeBudgetFitsAloneAndALargerOneNever() throws Exception {
        DecodeBudget budget = new DecodeBudget(100);
        budget.acquire(100);
        budget.release(100);
        assertThrows(IllegalArgumentException.class, () -> budget.acquire(101));
        assertTrue(budget.used() == 0);
        assertThrows(IllegalArgumentException.class, () -> new DecodeBudget(0));
    }
}
