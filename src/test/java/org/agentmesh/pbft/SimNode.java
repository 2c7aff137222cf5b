package org.agentmesh.pbft;

import java.util.List;

/** A replica in the simulation: a correct {@link PbftCore}, or a byzantine stand-in for one. */
interface SimNode {
    String id();

    List<PbftOutput> start(long now);

    List<PbftOutput> step(PbftInput input, long now);

    /** The correct core inside, also for byzantine wrappers that run one. */
    PbftCore core();

    static SimNode correct(PbftCore core) {
        return new SimNode() {
            @Override
            public String id() {
                return core.id();
            }

            @Override
            public List<PbftOutput> start(long now) {
                return core.start(now);
            }

            @Override
            public List<PbftOutput> step(PbftInput input, long now) {
                return core.step(input, now);
            }

            @Override
            public PbftCore core() {
                return core;
            }
        };
    }
}
