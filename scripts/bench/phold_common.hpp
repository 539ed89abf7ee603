// phold_common.hpp — what the C++ PHOLD peers (ns-3, SimGrid) share with kcsim's model
// (sim/sim_phold.h): the same xoshiro256** stream and Lemire draws as sim/sim_rng.c, the same
// FNV-1a checksum, argument parsing, the monotonic timer and the RESULT line. Sharing the
// generator means every engine pays the same for randomness, so the ratios measure engines.
#ifndef PHOLD_COMMON_HPP
#define PHOLD_COMMON_HPP

#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace phold {

struct Params {
  uint32_t lps = 1000;
  uint32_t population = 1;
  uint64_t events = 1000000;
  uint64_t lookahead_us = 1000;
  uint64_t spread_us = 2000;
  uint64_t seed = 1;
  std::string variant; // engine-specific choice, e.g. the ns-3 scheduler
};

// sim_rng_seed(seed, SIM_STREAM_PHOLD) and its draws, transcribed from sim/sim_rng.c.
class Rng {
  uint64_t s_[4];
  static uint64_t splitmix(uint64_t& x)
  {
    uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

public:
  explicit Rng(uint64_t seed, uint64_t stream = 5 /* SIM_STREAM_PHOLD */)
  {
    uint64_t salt = stream ^ 0x6A09E667F3BCC909ULL;
    uint64_t x = seed ^ splitmix(salt);
    for (auto& w : s_)
      w = splitmix(x);
  }
  uint64_t next()
  {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  uint64_t below(uint64_t n)
  {
    unsigned __int128 m = (unsigned __int128)next() * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = (unsigned __int128)next() * n;
        low = (uint64_t)m;
      }
    }
    return (uint64_t)(m >> 64);
  }
  uint64_t range(uint64_t lo, uint64_t hi) { return lo + below(hi - lo + 1); }
};

// Per-LP state and the checksum of sim_phold_run.
struct State {
  std::vector<uint64_t> count, last;
  uint64_t done = 0, now = 0;
  explicit State(uint32_t lps) : count(lps), last(lps) {}
  void process(uint32_t lp, uint64_t t)
  {
    now = t;
    count[lp]++;
    last[lp] = t;
    done++;
  }
  uint64_t checksum() const
  {
    auto fnv = [](uint64_t h, uint64_t w) { return (h ^ w) * 0x100000001B3ULL; };
    uint64_t h = 0xCBF29CE484222325ULL;
    for (size_t i = 0; i < count.size(); i++) {
      h = fnv(h, count[i]);
      h = fnv(h, last[i]);
    }
    return fnv(h, now);
  }
};

inline Params parse(int argc, char** argv)
{
  Params p;
  for (int i = 1; i + 1 < argc; i += 2) {
    const char* f = argv[i];
    const char* v = argv[i + 1];
    uint64_t n = std::strtoull(v, nullptr, 10);
    if (!std::strcmp(f, "--lps"))
      p.lps = (uint32_t)n;
    else if (!std::strcmp(f, "--population"))
      p.population = (uint32_t)n;
    else if (!std::strcmp(f, "--events"))
      p.events = n;
    else if (!std::strcmp(f, "--lookahead"))
      p.lookahead_us = n;
    else if (!std::strcmp(f, "--spread"))
      p.spread_us = n;
    else if (!std::strcmp(f, "--seed"))
      p.seed = n;
    else if (!std::strcmp(f, "--variant"))
      p.variant = v;
    else {
      std::fprintf(stderr, "unknown flag %s\n", f);
      std::exit(2);
    }
  }
  return p;
}

inline double seconds_since(std::chrono::steady_clock::time_point t0)
{
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

inline void report(const char* engine, const Params& p, const State& s, double seconds)
{
  std::printf("RESULT engine=%s lps=%u population=%u events=%" PRIu64 " seconds=%.6f "
              "end_t_us=%" PRIu64 " checksum=%016" PRIx64 "\n",
              engine, p.lps, p.population, s.done, seconds, s.now, s.checksum());
}

} // namespace phold

#endif
