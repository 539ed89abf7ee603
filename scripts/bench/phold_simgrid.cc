// phold_simgrid.cc — PHOLD (sim/sim_phold.h) on SimGrid's event engine. Choice: engine-level
// kernel timers (simgrid::kernel::timer::Timer::set), i.e. SimGrid's own future-event set,
// run by Engine::run in maestro with no actors. An actor per LP would add a context switch
// and a mailbox rendezvous per event, which measures SimGrid's actor layer, not its engine.
// Dates are double seconds; we use one unit per microsecond, so every date is an integer
// below 2^53 and exact. Once `events` are processed the remaining population (lps *
// population timers) still fires as no-ops: the engine has no stop call.
#include "phold_common.hpp"

#include <cmath>
#include <simgrid/kernel/Timer.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/NetZone.hpp>

namespace {

class Phold {
  const phold::Params& p_;
  phold::Rng rng_;
  phold::State st_;

  void at(uint64_t t, uint32_t lp)
  {
    simgrid::kernel::timer::Timer::set((double)t, [this, lp] { handle(lp); });
  }

public:
  explicit Phold(const phold::Params& p) : p_(p), rng_(p.seed), st_(p.lps) {}

  void start()
  {
    const uint64_t dmax = p_.lookahead_us + p_.spread_us;
    for (uint32_t lp = 0; lp < p_.lps; lp++)
      for (uint32_t j = 0; j < p_.population; j++)
        at(rng_.range(p_.lookahead_us, dmax), lp);
  }

  void handle(uint32_t lp)
  {
    if (st_.done == p_.events)
      return;
    const uint64_t now = (uint64_t)std::llround(simgrid::s4u::Engine::get_clock());
    st_.process(lp, now);
    if (st_.done == p_.events)
      return;
    const uint32_t dest = (uint32_t)rng_.below(p_.lps);
    const uint64_t delay = rng_.range(p_.lookahead_us, p_.lookahead_us + p_.spread_us);
    at(now + delay, dest);
  }

  const phold::State& state() const { return st_; }
};

} // namespace

int main(int argc, char** argv)
{
  phold::Params p = phold::parse(argc, argv);
  int sg_argc = 1;
  simgrid::s4u::Engine e(&sg_argc, argv);
  // The engine needs a sealed platform to run; PHOLD uses none of it.
  auto* zone = simgrid::s4u::create_empty_zone("phold");
  zone->seal();

  auto t0 = std::chrono::steady_clock::now();
  Phold model(p);
  model.start();
  e.run();
  double seconds = phold::seconds_since(t0);

  phold::report("simgrid", p, model.state(), seconds);
  return 0;
}
