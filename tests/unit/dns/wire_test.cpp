// The wire format (plugins/dns/wire.h): strict query parsing (good, truncated, malicious),
// whole messages with compressed rdata, the writer's compression and truncation, reverse
// names.
#include <gtest/gtest.h>

#include <random>

#include "tests/unit/dns/dns_test_support.h"

namespace ukube::dns_test {
namespace {

TEST(DnsWire, ParsesAQueryKeepingItsCase) {
  const Bytes bytes = make_query("Web.Default.svc.Cluster.Local", type::kA, 0x1234);
  Query q;
  ASSERT_EQ(parse_query(bytes, q), QueryStatus::ok);
  EXPECT_EQ(q.id, 0x1234);
  EXPECT_TRUE(q.rd());
  EXPECT_EQ(q.qname.text(), "Web.Default.svc.Cluster.Local.");
  EXPECT_EQ(q.lower.text(), "web.default.svc.cluster.local.");
  EXPECT_EQ(q.qtype, type::kA);
  EXPECT_EQ(q.qclass, kClassIN);
  EXPECT_FALSE(q.edns);
  EXPECT_EQ(q.udp_limit(4096), 512u);
  EXPECT_EQ(q.question_end, bytes.size());
}

TEST(DnsWire, ReadsEdns) {
  Query q;
  ASSERT_EQ(parse_query(make_query("a.b", type::kAAAA, 1, Opt{4096, true}), q), QueryStatus::ok);
  EXPECT_TRUE(q.edns);
  EXPECT_TRUE(q.dnssec_ok);
  EXPECT_EQ(q.udp_size, 4096);
  EXPECT_EQ(q.udp_limit(4096), 4096u);
  EXPECT_EQ(q.udp_limit(1232), 1232u);
  ASSERT_EQ(parse_query(make_query("a.b", type::kA, 1, Opt{100, false}), q), QueryStatus::ok);
  EXPECT_EQ(q.udp_limit(4096), 512u) << "an advertised size below 512 counts as 512";
  EXPECT_EQ(parse_query(make_query("a.b", type::kA, 1, Opt{1232, false, 1}), q), QueryStatus::badvers);
}

TEST(DnsWire, EveryTruncationOfAQueryIsRefused) {
  const Bytes full = make_query("www.example.com", type::kA, 7, Opt{});
  Query q;
  for (size_t n = 0; n < full.size(); ++n) {
    const QueryStatus s = parse_query({full.data(), n}, q);
    if (n < kHeaderSize)
      EXPECT_EQ(s, QueryStatus::ignore) << n;
    else
      EXPECT_EQ(s, QueryStatus::formerr) << n;
  }
  EXPECT_EQ(parse_query(full, q), QueryStatus::ok);
}

TEST(DnsWire, RefusesMalformedQueries) {
  Query q;
  Bytes b = make_query("a.b", type::kA);
  b[2] |= 0x80;  // QR: a response
  EXPECT_EQ(parse_query(b, q), QueryStatus::ignore);
  b = make_query("a.b", type::kA);
  b[2] |= 2 << 3;  // opcode STATUS
  EXPECT_EQ(parse_query(b, q), QueryStatus::notimp);
  for (auto [at, value] :
       std::vector<std::pair<size_t, uint16_t>>{{4, 0}, {4, 2}, {6, 1}, {8, 1}, {10, 65535}}) {
    b = make_query("a.b", type::kA);
    put16(&b[at], value);
    EXPECT_EQ(parse_query(b, q), QueryStatus::formerr) << "count at " << at << " = " << value;
  }
  b = make_query("a.b", type::kA);
  b.push_back(0);  // a byte after the last record
  EXPECT_EQ(parse_query(b, q), QueryStatus::formerr);
  // Two OPT records.
  b = make_query("a.b", type::kA, 1, Opt{});
  const Bytes opt(b.end() - 11, b.end());
  b.insert(b.end(), opt.begin(), opt.end());
  put16(&b[10], 2);
  EXPECT_EQ(parse_query(b, q), QueryStatus::formerr);
  // An OPT option longer than the record.
  b = make_query("a.b", type::kA, 1, Opt{});
  put16(&b[b.size() - 2], 4);
  add16(b, 10);  // option code
  add16(b, 50);  // option length past the end
  EXPECT_EQ(parse_query(b, q), QueryStatus::formerr);
}

// A header: id, flags, then the question, answer, authority and additional counts.
Bytes header(uint16_t id, uint16_t flags, std::initializer_list<uint16_t> counts) {
  Bytes b;
  add16(b, id);
  add16(b, flags);
  for (uint16_t c : counts) add16(b, c);
  return b;
}

// A header with one question whose name is `name_bytes` (raw).
Bytes raw_query(const Bytes& name_bytes) {
  Bytes b = header(1, 0, {1, 0, 0, 0});
  b.insert(b.end(), name_bytes.begin(), name_bytes.end());
  add16(b, type::kA);
  add16(b, kClassIN);
  return b;
}

TEST(DnsWire, RefusesCompressionLoopsAndOversizedNames) {
  Query q;
  EXPECT_EQ(parse_query(raw_query({0xC0, 0x0C}), q), QueryStatus::formerr) << "a pointer to itself";
  EXPECT_EQ(parse_query(raw_query({0x01, 'a', 0xC0, 0x0C}), q), QueryStatus::formerr)
      << "a loop through a label";
  EXPECT_EQ(parse_query(raw_query({0xC0, 0x0E, 0xC0, 0x0C}), q), QueryStatus::formerr) << "a forward pointer";
  EXPECT_EQ(parse_query(raw_query({0xC0, 0x02}), q), QueryStatus::formerr) << "a pointer into the header";
  EXPECT_EQ(parse_query(raw_query({0x41, 'a', 0}), q), QueryStatus::formerr) << "label type 0x40";
  EXPECT_EQ(parse_query(raw_query({0x81, 'a', 0}), q), QueryStatus::formerr) << "label type 0x80";
  // 4 labels of 63 bytes: 257 bytes of name, two too many; 63, 63, 63, 61: exactly 255.
  auto long_name = [](std::initializer_list<int> sizes) {
    Bytes name;
    for (int size : sizes) {
      name.push_back(static_cast<uint8_t>(size));
      name.insert(name.end(), static_cast<size_t>(size), 'x');
    }
    name.push_back(0);
    return name;
  };
  EXPECT_EQ(parse_query(raw_query(long_name({63, 63, 63, 63})), q), QueryStatus::formerr);
  EXPECT_EQ(parse_query(raw_query(long_name({63, 63, 63, 62})), q), QueryStatus::formerr);
  EXPECT_EQ(parse_query(raw_query(long_name({63, 63, 63, 61})), q), QueryStatus::ok);
  EXPECT_EQ(q.qname.size(), 255u);
}

TEST(DnsWire, MessagesBelieveCountsOnlyAsFarAsTheBytesGo) {
  Bytes b = header(1, flag::kQR, {0, 65535, 65535, 65535});
  b.resize(64, 0);
  std::string error;
  EXPECT_FALSE(parse_message(b, &error));
  EXPECT_FALSE(error.empty());
}

TEST(DnsWire, DecompressesNamesInRdata) {
  // www.example.com CNAME web.example.com, the target compressed against the question.
  Bytes b = header(9, flag::kQR, {1, 1, 0, 0});
  add_name(b, "www.example.com");  // at 12; example.com at 16
  add16(b, type::kCNAME);
  add16(b, kClassIN);
  b.insert(b.end(), {0xC0, 0x0C});
  add16(b, type::kCNAME);
  add16(b, kClassIN);
  add32(b, 60);
  add16(b, 6);
  b.insert(b.end(), {3, 'w', 'e', 'b', 0xC0, 16});
  auto m = parse_message(b);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->answer.size(), 1u);
  EXPECT_EQ(m->answer[0].name.text(), "www.example.com.");
  EXPECT_EQ(rdata_name(m->answer[0]), "web.example.com.");
  EXPECT_EQ(m->answer[0].rdata.size(), 17u) << "written out uncompressed";
  // A pointer out of the rdata's own bounds forward is refused.
  b[b.size() - 1] = static_cast<uint8_t>(b.size());
  EXPECT_FALSE(parse_message(b));
}

TEST(DnsWire, WriterCompressesCaseInsensitively) {
  std::array<uint8_t, 512> buf;
  MessageWriter w(buf.data(), buf.size());
  w.header(5, flag::kQR);
  const Name q = *Name::from_text("Web.Default.svc.cluster.local");
  ASSERT_TRUE(w.question(q.wire(), type::kA, kClassIN));
  const size_t before = w.size();
  ASSERT_TRUE(w.begin(Section::answer, q.wire(), type::kA, kClassIN, 5));
  const uint8_t ip[4] = {10, 0, 0, 1};
  w.put_bytes(ip);
  ASSERT_TRUE(w.end());
  EXPECT_EQ(w.size() - before, 2u + 10 + 4) << "the owner is a pointer to the question";
  EXPECT_EQ(buf[before], 0xC0);
  EXPECT_EQ(buf[before + 1], 0x0C);
  // A name sharing a suffix in another case: only the new label is written.
  const Name other = *Name::from_text("db.DEFAULT.SVC.CLUSTER.LOCAL");
  const size_t at = w.size();
  ASSERT_TRUE(w.begin(Section::answer, other.wire(), type::kA, kClassIN, 5));
  w.put_bytes(ip);
  ASSERT_TRUE(w.end());
  EXPECT_EQ(w.size() - at, 3u + 2 + 10 + 4);
  auto m = parse_message({buf.data(), w.finish()});
  ASSERT_TRUE(m);
  ASSERT_EQ(m->answer.size(), 2u);
  EXPECT_EQ(m->answer[0].name.text(), "Web.Default.svc.cluster.local.");
  EXPECT_EQ(m->answer[1].name.text(), "db.Default.svc.cluster.local.");
}

TEST(DnsWire, WriterDropsWholeRecordsPastTheLimitAndSetsTC) {
  std::array<uint8_t, 4096> buf;
  MessageWriter w(buf.data(), buf.size());
  w.set_limit(512);
  w.set_edns(1232, false);
  w.header(1, flag::kQR);
  const Name q = *Name::from_text("many.default.svc.cluster.local");
  w.question(q.wire(), type::kA, kClassIN);
  int written = 0;
  for (int i = 0; i < 100; ++i) {
    if (!w.begin(Section::answer, q.wire(), type::kA, kClassIN, 5)) break;
    const uint8_t ip[4] = {10, 0, 0, static_cast<uint8_t>(i)};
    w.put_bytes(ip);
    if (w.end()) ++written;
  }
  EXPECT_TRUE(w.truncated());
  const size_t size = w.finish();
  EXPECT_LE(size, 512u);
  EXPECT_GT(written, 20);
  EXPECT_LT(written, 100);
  auto m = parse_message({buf.data(), size});
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->truncated());
  EXPECT_TRUE(m->edns) << "the OPT record still fits";
  EXPECT_EQ(m->answer.size(), static_cast<size_t>(written));
}

TEST(DnsWire, WritesParsedRecordsBack) {
  Bytes b = header(9, flag::kQR, {1, 1, 0, 0});
  add_name(b, "x.example");
  add16(b, type::kMX);
  add16(b, kClassIN);
  add_name(b, "x.example");
  add16(b, type::kMX);
  add16(b, kClassIN);
  add32(b, 60);
  Bytes rdata;
  add16(rdata, 10);
  add_name(rdata, "mail.x.example");
  add16(b, static_cast<uint16_t>(rdata.size()));
  b.insert(b.end(), rdata.begin(), rdata.end());
  auto m = parse_message(b);
  ASSERT_TRUE(m);
  std::array<uint8_t, 512> buf;
  MessageWriter w(buf.data(), buf.size());
  w.header(9, flag::kQR);
  w.question(m->questions[0].name.wire(), type::kMX, kClassIN);
  ASSERT_TRUE(w.record(Section::answer, m->answer[0]));
  const size_t size = w.finish();
  EXPECT_LT(size, b.size()) << "owner and exchange compressed";
  auto again = parse_message({buf.data(), size});
  ASSERT_TRUE(again);
  EXPECT_EQ(rdata16(again->answer[0], 0), 10);
  EXPECT_EQ(rdata_name(again->answer[0], 2), "mail.x.example.");
}

TEST(DnsWire, ReverseNames) {
  auto v4 = address_from_reverse(Name::from_text("50.0.43.10.in-addr.arpa")->wire());
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->text(), "10.43.0.50");
  auto v6 = address_from_reverse(
      Name::from_text("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")->wire());
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->text(), "2001:db8::1");
  for (const char* bad : {"0.43.10.in-addr.arpa", "256.0.43.10.in-addr.arpa", "01.0.43.10.in-addr.arpa",
                          "x.0.43.10.in-addr.arpa", "1.2.3.4.5.in-addr.arpa", "in-addr.arpa", "1.0.ip6.arpa",
                          "50.0.43.10.example"})
    EXPECT_FALSE(address_from_reverse(Name::from_text(bad)->wire())) << bad;
  EXPECT_EQ(dashed_address("10.42.0.5"), "10-42-0-5");
  EXPECT_EQ(dashed_address("FD00::"), "fd00--0");
}

// Random damage to good messages never crashes or reads out of bounds (ASan in `make fuzz`
// finds what this misses; tests/fuzz/fuzz_dns_message.cpp runs the same parsers).
TEST(DnsWire, SurvivesRandomDamage) {
  std::mt19937 random(42);
  const Bytes seeds[] = {make_query("web.default.svc.cluster.local", type::kSRV, 1, Opt{4096, true}),
                         make_query("a.b.c", type::kA)};
  Query q;
  for (int i = 0; i < 20000; ++i) {
    Bytes b = seeds[i % 2];
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) {
      switch (random() % 3) {
        case 0: b[random() % b.size()] = static_cast<uint8_t>(random()); break;
        case 1: b.resize(random() % (b.size() + 1)); break;
        case 2:
          b.insert(b.begin() + static_cast<ptrdiff_t>(random() % (b.size() + 1)),
                   static_cast<uint8_t>(random()));
          break;
      }
      if (b.empty()) b.push_back(0);
    }
    parse_query(b, q);
    parse_message(b);
  }
  SUCCEED();
}

}  // namespace
}  // namespace ukube::dns_test
