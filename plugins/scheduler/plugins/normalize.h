#pragma once

#include <algorithm>
#include <span>

#include "ukube/scheduler/framework.h"

namespace ukube::scheduler {

// Scales scores so the highest becomes kMaxNodeScore; `reverse` turns "fewer is better"
// counts into scores.
inline void default_normalize(std::span<NodeScore> scores, bool reverse) {
  int64_t max = 0;
  for (const auto& s : scores) max = std::max(max, s.score);
  if (max == 0) {
    if (reverse)
      for (auto& s : scores) s.score = kMaxNodeScore;
    return;
  }
  for (auto& s : scores) {
    s.score = kMaxNodeScore * s.score / max;
    if (reverse) s.score = kMaxNodeScore - s.score;
  }
}

}  // namespace ukube::scheduler
