package io.platter.server.manage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Jobs report progress while they run and how they ended afterwards. */
class JobsTest {

    @Test
    void aRunningJobShowsItsProgressThenEndsDone() {
        Jobs jobs = new Jobs();
        Jobs.Job job = jobs.start("flatten", "c1", 1000);
        job.accept(250);
        Views.Job running = jobs.list().get(0);
        assertThat(running.state()).isEqualTo("running");
        assertThat(running.doneBytes()).isEqualTo(250);
        assertThat(running.totalBytes()).isEqualTo(1000);
        job.close();
        Views.Job done = jobs.show(running.id());
        assertThat(done.state()).isEqualTo("done");
        assertThat(done.doneBytes()).isEqualTo(1000);
    }

    @Test
    void aFailedJobKeepsItsErrorAndOnlyTheLastFewAreKept() {
        Jobs jobs = new Jobs();
        Jobs.Job job = jobs.start("import", "v", 10);
        job.failed("disk full");
        job.close();
        assertThat(jobs.list().get(0).state()).isEqualTo("failed");
        assertThat(jobs.list().get(0).error()).isEqualTo("disk full");
        for (int i = 0; i < Jobs.KEPT + 5; i++) {
            jobs.start("allocate", "v" + i, 1).close();
        }
        assertThat(jobs.list()).hasSize(Jobs.KEPT);
        assertThatThrownBy(() -> jobs.show(1)).isInstanceOf(ManagementException.class).hasMessageContaining("no job 1");
    }

    @Test
    void cancelAllStopsRunningAndLaterJobsAtTheirNextStep() {
        Jobs jobs = new Jobs();
        Jobs.Job running = jobs.start("flatten", "c1", 1000);
        running.accept(100);
        jobs.cancelAll();
        assertThatThrownBy(() -> running.accept(200)).isInstanceOf(ManagementException.class)
                .hasMessageContaining("cancelled: the daemon is stopping");
        Jobs.Job later = jobs.start("import", "v", 10);
        assertThatThrownBy(() -> later.accept(1)).isInstanceOf(ManagementException.class);
        running.close();
        later.close();
    }
}
