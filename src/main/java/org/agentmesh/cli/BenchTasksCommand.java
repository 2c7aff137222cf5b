package org.agentmesh.cli;

import java.util.concurrent.Callable;
import org.agentmesh.bench.SchedulingSimulationBench;
import org.agentmesh.bench.TaskBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "tasks", mixinStandardHelpOptions = true,
        description = "No-op task throughput on 1 and 3 in-JVM nodes, a skewed workload's makespan per strategy with and "
                + "without stealing on a real node, then the virtual-time scheduling simulation (10,000 tasks).")
final class BenchTasksCommand implements Callable<Integer> {

    @Option(names = "--noop-tasks", defaultValue = "2000", description = "No-op tasks per throughput run. Default: 2000")
    int noopTasks;

    @Option(names = "--skew-tasks", defaultValue = "400", description = "Tasks in the real skewed workload. Default: 400")
    int skewTasks;

    @Option(names = "--seeds", defaultValue = "5", description = "Seeds of the simulation part. Default: 5")
    int seeds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (noopTasks < 1 || skewTasks < 1 || seeds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--noop-tasks, --skew-tasks and --seeds must be >= 1");
        }
        TaskBench.run(noopTasks, skewTasks, System.out);
        System.out.println();
        System.out.println("(3) scheduling simulation on virtual time (load variance, migrations per minute)");
        SchedulingSimulationBench.main(new String[] {String.valueOf(seeds)});
        return 0;
    }
}
