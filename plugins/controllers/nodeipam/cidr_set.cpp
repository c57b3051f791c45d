#include "cidr_set.h"

namespace ukube::controllers::nodeipam {

CidrSet::CidrSet(machinery::Cidr cluster, int node_prefix)
    : cluster_(cluster), node_prefix_(node_prefix), used_(size_t{1} << (node_prefix - cluster.prefix)) {}

size_t CidrSet::index_of(const machinery::Cidr& address) const {
  size_t index = 0;
  for (int i = cluster_.prefix; i < node_prefix_; ++i) index = (index << 1) | (address.bit(i) ? 1 : 0);
  return index;
}

machinery::Cidr CidrSet::block(size_t index) const {
  machinery::Cidr out = cluster_;
  out.prefix = node_prefix_;
  for (int i = node_prefix_ - 1; i >= cluster_.prefix; --i, index >>= 1) out.set_bit(i, index & 1);
  return out;
}

std::optional<machinery::Cidr> CidrSet::allocate_next() {
  if (allocated_ == used_.size()) return std::nullopt;
  size_t candidate = next_;
  while (used_[candidate]) candidate = (candidate + 1) % used_.size();
  used_[candidate] = true;
  ++allocated_;
  next_ = (candidate + 1) % used_.size();
  return block(candidate);
}

std::optional<std::pair<size_t, size_t>> CidrSet::blocks_of(const machinery::Cidr& cidr) const {
  if (!cluster_.overlaps(cidr)) return std::nullopt;
  if (cidr.prefix <= cluster_.prefix) return std::pair<size_t, size_t>{0, used_.size() - 1};
  return std::pair<size_t, size_t>{index_of(cidr), index_of(cidr.last_address())};
}

bool CidrSet::mark(const machinery::Cidr& cidr, bool used) {
  const auto span = blocks_of(cidr);
  if (!span) return false;
  for (size_t i = span->first; i <= span->second; ++i) {
    if (used_[i] == used) continue;  // counted once, however often marked
    used_[i] = used;
    used ? ++allocated_ : --allocated_;
  }
  return true;
}

bool CidrSet::occupy(const machinery::Cidr& cidr) {
  return mark(cidr, true);
}

bool CidrSet::release(const machinery::Cidr& cidr) {
  return mark(cidr, false);
}

bool CidrSet::is_used(const machinery::Cidr& cidr) const {
  const auto span = blocks_of(cidr);
  if (!span) return false;
  for (size_t i = span->first; i <= span->second; ++i)
    if (!used_[i]) return false;
  return true;
}

}  // namespace ukube::controllers::nodeipam
