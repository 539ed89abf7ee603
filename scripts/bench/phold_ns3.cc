// phold_ns3.cc — PHOLD (sim/sim_phold.h) on ns-3's event engine: every event is a
// Simulator::Schedule of a member function bound to the destination LP, the way ns-3 models
// schedule work. --variant picks the scheduler (ns-3's default is ns3::MapScheduler).
#include "phold_common.hpp"

#include "ns3/nstime.h"
#include "ns3/object-factory.h"
#include "ns3/simulator.h"

namespace {

class Phold {
  const phold::Params& p_;
  phold::Rng rng_;
  phold::State st_;

public:
  explicit Phold(const phold::Params& p) : p_(p), rng_(p.seed), st_(p.lps) {}

  void start()
  {
    const uint64_t dmax = p_.lookahead_us + p_.spread_us;
    for (uint32_t lp = 0; lp < p_.lps; lp++)
      for (uint32_t j = 0; j < p_.population; j++)
        ns3::Simulator::Schedule(ns3::MicroSeconds(rng_.range(p_.lookahead_us, dmax)),
                                 &Phold::handle, this, lp);
  }

  void handle(uint32_t lp)
  {
    st_.process(lp, (uint64_t)ns3::Simulator::Now().GetMicroSeconds());
    if (st_.done == p_.events) {
      ns3::Simulator::Stop(); // after this event: nothing else is processed
      return;
    }
    const uint32_t dest = (uint32_t)rng_.below(p_.lps);
    const uint64_t delay = rng_.range(p_.lookahead_us, p_.lookahead_us + p_.spread_us);
    ns3::Simulator::Schedule(ns3::MicroSeconds(delay), &Phold::handle, this, dest);
  }

  const phold::State& state() const { return st_; }
};

} // namespace

int main(int argc, char** argv)
{
  phold::Params p = phold::parse(argc, argv);
  if (p.variant.empty())
    p.variant = "ns3::MapScheduler";
  ns3::ObjectFactory sched;
  sched.SetTypeId(p.variant);
  ns3::Simulator::SetScheduler(sched);

  auto t0 = std::chrono::steady_clock::now();
  Phold model(p);
  model.start();
  ns3::Simulator::Run();
  double seconds = phold::seconds_since(t0);
  ns3::Simulator::Destroy();

  std::string engine = "ns-3/" + p.variant.substr(p.variant.find("::") + 2);
  phold::report(engine.c_str(), p, model.state(), seconds);
  return 0;
}
