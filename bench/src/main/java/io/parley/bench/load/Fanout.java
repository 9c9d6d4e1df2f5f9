package io.parley.bench.load;

import io.parley.bench.Cpu;
import io.parley.bench.Latency;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One group with every member connected; the owner sends one message at a time and we wait until every other
 * member's socket has it. The figure is the time from the send to the LAST member's {@code message} frame.
 */
public final class Fanout {

    private final int members;
    private final long[] arrival;
    private volatile long trialIndex = -1;
    private volatile CountDownLatch pending;
    private volatile long ackAt;
    private final String ownerId;

    public Fanout(int members, String ownerId) {
        this.members = members;
        this.arrival = new long[members];
        this.ownerId = ownerId;
    }

    public void onFrame(Socket socket, String text) {
        long now = System.nanoTime();
        if (trialIndex < 0) {
            return;
        }
        Frame f = Frame.parse(text);
        if ("message".equals(f.type)) {
            if (ownerId.equals(socket.userId) || OpenLoop.indexOfText(f.text) != trialIndex) {
                return;
            }
            if (arrival[socket.index] == 0) {
                arrival[socket.index] = now;
                pending.countDown();
            }
        } else if ("ack".equals(f.type) && ("m" + trialIndex).equals(f.id)) {
            ackAt = now;
        }
    }

    /**
     * @param sockets index 0 is the owner's; indexes 1..members-1 the others'
     */
    public Map<String, Object> run(List<Socket> sockets, String conversationId, int warmupTrials, int trials,
                                   Cpu cpu, long firstIndex) throws InterruptedException {
        Socket owner = sockets.get(0);
        List<Double> lastMemberMs = new ArrayList<>();
        List<Double> medianMemberMs = new ArrayList<>();
        List<Double> ackMs = new ArrayList<>();
        List<Integer> reached = new ArrayList<>();
        Histogram perMember = Latency.histogram();
        Histogram last = Latency.histogram();
        Cpu.Sample c0 = null;
        List<double[]> sampleArrivals = new ArrayList<>();
        for (int trial = 0; trial < warmupTrials + trials; trial++) {
            if (trial == warmupTrials) {
                c0 = cpu.sample();
            }
            java.util.Arrays.fill(arrival, 0);
            long index = firstIndex + trial;
            pending = new CountDownLatch(members - 1);
            ackAt = 0;
            trialIndex = index;
            long sentAt = System.nanoTime();
            owner.send("{\"type\":\"send\",\"id\":\"m" + index + "\",\"conversationId\":\"" + conversationId
                    + "\",\"text\":\"" + index + " hello group\"}");
            boolean all = pending.await(30, TimeUnit.SECONDS);
            long lastArrival = 0;
            int got = 0;
            Histogram trialHistogram = Latency.histogram();
            for (int i = 1; i < members; i++) {
                if (arrival[i] != 0) {
                    got++;
                    lastArrival = Math.max(lastArrival, arrival[i]);
                    trialHistogram.recordValue(Math.max(0, (arrival[i] - sentAt) / 1000));
                }
            }
            long ack = ackAt;
            trialIndex = -1;
            double lastMs = (lastArrival - sentAt) / 1e6;
            System.out.printf("  [fanout] trial %2d%s: %d/%d members reached, last after %.1f ms, median member %.1f ms, "
                            + "ack %.1f ms%n", trial, trial < warmupTrials ? " (warm-up)" : "", got, members - 1, lastMs,
                    trialHistogram.getValueAtPercentile(50) / 1000.0, ack == 0 ? Double.NaN : (ack - sentAt) / 1e6);
            if (trial >= warmupTrials) {
                lastMemberMs.add(OpenLoop.round(lastMs * 10) / 10.0);
                medianMemberMs.add(Latency.ms(trialHistogram.getValueAtPercentile(50)));
                ackMs.add(ack == 0 ? null : Math.round((ack - sentAt) / 1e4) / 100.0);
                reached.add(got);
                perMember.add(trialHistogram);
                last.recordValue(Math.max(0, (lastArrival - sentAt) / 1000));
                if (trial == warmupTrials + trials / 2) {
                    for (int i = 1; i < members; i++) {
                        if (arrival[i] != 0) {
                            sampleArrivals.add(new double[]{(arrival[i] - sentAt) / 1e6});
                        }
                    }
                }
            }
            if (!all) {
                System.out.println("  [fanout] not every member got the message within 30 s");
            }
            Thread.sleep(300);
        }
        Cpu.Use use = cpu.between(c0, cpu.sample());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("members", members);
        r.put("trials", trials);
        r.put("warmupTrials", warmupTrials);
        r.put("lastMemberMs", lastMemberMs);
        r.put("medianMemberMs", medianMemberMs);
        r.put("ackMs", ackMs);
        r.put("membersReached", reached);
        r.put("lastMember", Latency.summary(last));
        r.put("perMember", Latency.summary(perMember));
        r.put("perMemberCurve", Latency.curve(perMember));
        r.put("sampleTrialArrivalsMs", sampleArrivals.stream().map(a -> OpenLoop.round(a[0] * 10) / 10.0).sorted().toList());
        r.put("cpu", Map.of("serverPct", use.serverPct(), "generatorPct", use.generatorPct(),
                "machinePct", use.machinePct()));
        return r;
    }
}
