#pragma once

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "ukube/machinery/cidr.h"

// upstream's cidrset: the node-sized blocks of one cluster CIDR and which of them are in
// use, as a bitmap. Blocks are given out round-robin: the search for a free one starts
// after the block given out last and wraps around, so a block just freed is not handed
// out again at once while others are free. Not thread-safe: the allocator serializes.
namespace ukube::controllers::nodeipam {

class CidrSet {
 public:
  // `node_prefix` must be from cluster.prefix to cluster.bits(), at most 24 longer.
  CidrSet(machinery::Cidr cluster, int node_prefix);

  const machinery::Cidr& cluster() const { return cluster_; }
  int node_prefix() const { return node_prefix_; }
  size_t capacity() const { return used_.size(); }
  size_t allocated() const { return allocated_; }

  // The next free block, now marked used; nullopt when every block is.
  std::optional<machinery::Cidr> allocate_next();
  // Mark used (free) every block `cidr` shares an address with: one block, part of one
  // (a /26 marks its /24), several (a /23 marks two /24s), or all of them (a CIDR that
  // holds the whole cluster CIDR). False, changing nothing, when it shares none.
  bool occupy(const machinery::Cidr& cidr);
  bool release(const machinery::Cidr& cidr);
  bool is_used(const machinery::Cidr& cidr) const;

 private:
  // The first and last block `cidr` shares addresses with.
  std::optional<std::pair<size_t, size_t>> blocks_of(const machinery::Cidr& cidr) const;
  size_t index_of(const machinery::Cidr& address) const;
  machinery::Cidr block(size_t index) const;
  bool mark(const machinery::Cidr& cidr, bool used);

  machinery::Cidr cluster_;
  int node_prefix_;
  std::vector<bool> used_;
  size_t allocated_ = 0;
  size_t next_ = 0;  // where the search for a free block starts (upstream's nextCandidate)
};

}  // namespace ukube::controllers::nodeipam
