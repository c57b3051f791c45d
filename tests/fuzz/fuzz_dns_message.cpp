// DNS messages as a client or an upstream resolver can send them (plugins/dns/wire.h): parsing
// never crashes, and a message that parses, written again by the plugin's writer (names
// compressed), parses to the same records.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "dns/wire.h"

using namespace ukube::dns;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Query q;
  parse_query({data, size}, q);
  auto m = parse_message({data, size});
  if (!m || m->questions.size() != 1) return 0;
  std::vector<uint8_t> buf(kMaxMessageSize);
  MessageWriter w(buf.data(), buf.size());
  w.header(m->id, m->flags);
  w.question(m->questions[0].name.wire(), m->questions[0].type, m->questions[0].cls);
  const std::pair<Section, const std::vector<Record>*> sections[] = {{Section::answer, &m->answer},
                                                                     {Section::authority, &m->authority},
                                                                     {Section::additional, &m->additional}};
  for (const auto& [section, records] : sections)
    for (const auto& r : *records) w.record(section, r);
  if (w.truncated()) return 0;  // 64 KiB of records written uncompressed by the sender may not fit back
  auto again = parse_message({buf.data(), w.finish()});
  if (!again || again->answer.size() != m->answer.size() || again->authority.size() != m->authority.size() ||
      again->additional.size() != m->additional.size())
    std::abort();
  for (size_t i = 0; i < m->answer.size(); ++i)
    if (!names_equal(again->answer[i].name.wire(), m->answer[i].name.wire()) ||
        again->answer[i].rdata != m->answer[i].rdata)
      std::abort();
  return 0;
}
