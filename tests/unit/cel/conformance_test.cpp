// CEL conformance cases: expressions and expected results from google/cel-spec's
// tests/simple/testdata/{basic,comparisons,logic,integer_math,fp_math,string,lists,fields,
// macros,conversions,optionals,string_ext,timestamps}.textproto.
//
// Left out: cases that need protobuf messages, wrappers, JSON or enums; cases the upstream
// runner evaluates unchecked (disable_check), since compile() always type-checks; and
// upstream error descriptions that are not cel-go's messages are replaced by cel-go's:
// "divide by zero" -> "division by zero", "return error for overflow" -> "overflow" (cel-go
// says "integer overflow" / "unsigned integer overflow"), conversion "range" errors ->
// "integer overflow" / "unsigned integer overflow", "no matching overload" -> "no such
// overload", list "invalid_argument" -> cel-go's "... out of range ..." and "unsupported
// index ..." messages.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <string_view>

#include "cel_test_helpers.h"
#include "ukube/cel/program.h"
#include "ukube/cel/types.h"
#include "ukube/cel/value.h"

namespace ukube::cel {
namespace {

using namespace std::string_view_literals;
using celtest::expect_compile_error;
using celtest::expect_eq;
using celtest::expect_error;
using celtest::expect_true;
using celtest::expect_value;
using celtest::list_value;
using celtest::map_value;
using celtest::Vars;

TEST(CelConformance, BasicSelfEval) {
  expect_eq(R"cel(0)cel", R"cel(0)cel");
  expect_eq(R"cel(0u)cel", R"cel(0u)cel");
  expect_eq(R"cel(0U)cel", R"cel(0u)cel");
  expect_eq(R"cel(0.0)cel", R"cel(0.0)cel");
  expect_eq(R"cel(0e+0)cel", R"cel(0.0)cel");
  expect_eq(R"cel('')cel", R"cel("")cel");
  expect_eq(R"cel("")cel", R"cel("")cel");
  expect_eq(R"cel(r"")cel", R"cel("")cel");
  expect_eq(R"cel(b"")cel", R"cel(b"")cel");
  expect_eq(R"cel(false)cel", R"cel(false)cel");
  expect_eq(R"cel(null)cel", R"cel(null)cel");
  expect_eq(R"cel([])cel", R"cel([])cel");
  expect_eq(R"cel({})cel", R"cel({})cel");
  expect_eq(R"cel(r"""""")cel", R"cel("")cel");
  expect_eq(R"cel(r'''''')cel", R"cel("")cel");
  expect_eq(R"cel(42)cel", R"cel(42)cel");
  expect_eq(R"cel(123456789u)cel", R"cel(123456789u)cel");
  expect_eq(R"cel(123456789U)cel", R"cel(123456789u)cel");
  expect_eq(R"cel(-9223372036854775808)cel", R"cel(-9223372036854775808)cel");
  expect_eq(R"cel(-2.3e+1)cel", R"cel(-23.0)cel");
  expect_eq(R"cel("!")cel", R"cel("!")cel");
  expect_eq(R"cel('\'')cel", R"cel("'")cel");
  expect_eq(R"cel(b'ÿ')cel", R"cel(b"\xc3\xbf")cel");
  expect_eq(R"cel(b'\000\xff')cel", R"cel(b"\x00\xff")cel");
  expect_eq(R"cel([-1])cel", R"cel([-1])cel");
  expect_eq(R"cel({"k":"v"})cel", R"cel({"k": "v"})cel");
  expect_eq(R"cel(true)cel", R"cel(true)cel");
  expect_eq(R"cel(0x55555555)cel", R"cel(1431655765)cel");
  expect_eq(R"cel(-0x55555555)cel", R"cel(-1431655765)cel");
  expect_eq(R"cel(0x55555555u)cel", R"cel(1431655765u)cel");
  expect_eq(R"cel(0x55555555U)cel", R"cel(1431655765u)cel");
  expect_eq(R"cel("\u270c")cel", R"cel("✌")cel");
  expect_eq(R"cel("\U0001f431")cel", R"cel("🐱")cel");
  expect_eq(R"cel("\a\b\f\n\r\t\v\"\'\\")cel", R"cel("\x07\x08\x0c\n\r\t\x0b\"'\\")cel");
  expect_eq(R"cel(1 + 1)cel", R"cel(2)cel");
}

TEST(CelConformance, BasicVariables) {
  expect_eq(Vars{{"x", types::int64(), Value(123)}}, "x", "123");
  expect_compile_error("x", "undeclared reference to 'x' (in container '')");
}

TEST(CelConformance, Equality) {
  expect_eq(R"cel(1 == 1)cel", R"cel(true)cel");
  expect_eq(R"cel(-1 == 1)cel", R"cel(false)cel");
  expect_eq(R"cel(2u == 2u)cel", R"cel(true)cel");
  expect_eq(R"cel(1u == 2u)cel", R"cel(false)cel");
  expect_eq(R"cel(1.0 == 1.0e+0)cel", R"cel(true)cel");
  expect_eq(R"cel(-1.0 == 1.0)cel", R"cel(false)cel");
  expect_eq(R"cel(0.0/0.0 == 0.0/0.0)cel", R"cel(false)cel");
  expect_eq(R"cel('' == "")cel", R"cel(true)cel");
  expect_eq(R"cel('a' == 'b')cel", R"cel(false)cel");
  expect_eq(R"cel('abc' == r'abc')cel", R"cel(true)cel");
  expect_eq(R"cel('abc' == 'ABC')cel", R"cel(false)cel");
  expect_eq(R"cel('ίσος' == 'ίσος')cel", R"cel(true)cel");
  expect_eq(R"cel('a' == 'à')cel", R"cel(false)cel");
  expect_eq(R"cel('Am\u00E9lie' == 'Ame\u0301lie')cel", R"cel(false)cel");
  expect_eq(R"cel(null == null)cel", R"cel(true)cel");
  expect_eq(R"cel(true == true)cel", R"cel(true)cel");
  expect_eq(R"cel(false == true)cel", R"cel(false)cel");
  expect_eq(R"cel(b'ÿ' == b'\303\277')cel", R"cel(true)cel");
  expect_eq(R"cel(b'abc' == b'abcd')cel", R"cel(false)cel");
  expect_eq(R"cel([] == [])cel", R"cel(true)cel");
  expect_eq(R"cel([null] == [null])cel", R"cel(true)cel");
  expect_eq(R"cel(['1', '2', null] == ['1', '2', '3'])cel", R"cel(false)cel");
  expect_eq(R"cel([1, 2, 3] == [1, 2, 3])cel", R"cel(true)cel");
  expect_eq(R"cel([1.0, 2.0, 3] == [1u, 2, 3u])cel", R"cel(true)cel");
  expect_eq(R"cel([1.0, 2.1] == [1u, 2])cel", R"cel(false)cel");
  expect_eq(R"cel([1, 2, 3] == [1, 3, 2])cel", R"cel(false)cel");
  expect_eq(R"cel(['case'] == ['cAse'])cel", R"cel(false)cel");
  expect_eq(R"cel([1, 'dos', 3] == [1, 2, 4])cel", R"cel(false)cel");
  expect_eq(R"cel({} == {})cel", R"cel(true)cel");
  expect_eq(R"cel({'k': null} == {'k': null})cel", R"cel(true)cel");
  expect_eq(R"cel({'k': 1, 'j': 2} == {'k': 1, 'j': null})cel", R"cel(false)cel");
  expect_eq(R"cel({'k':'v'} == {"k":"v"})cel", R"cel(true)cel");
  expect_eq(R"cel({'k':1.0} == {'k':1e+0})cel", R"cel(true)cel");
  expect_eq(R"cel({1: 1.0, 2u: 3u} == {1u: 1, 2: 3.0})cel", R"cel(true)cel");
  expect_eq(R"cel({'k':'v'} == {'k':'v1'})cel", R"cel(false)cel");
  expect_eq(R"cel({'k':'v','k1':'v1'} == {'k':'v'})cel", R"cel(false)cel");
  expect_eq(R"cel({'k1':'v1','k2':'v2'} == {'k2':'v2','k1':'v1'})cel", R"cel(true)cel");
  expect_eq(R"cel({'key':'value'} == {'Key':'value'})cel", R"cel(false)cel");
  expect_eq(R"cel({'k1': 1, 'k2': 'dos', 'k3': 3} == {'k1': 1, 'k2': 2, 'k3': 4})cel", R"cel(false)cel");
  expect_eq(R"cel({'k':'v', 1:1} == {'k':'v', 1:'v1'})cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(false) == null)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(b'') == null)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn([]) == null)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn({}) == null)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn('') == null)cel", R"cel(false)cel");
  expect_eq(R"cel([1, 2, null] == [1, null, 3])cel", R"cel(false)cel");
  expect_eq(R"cel({1:'hello', 2:'world'} == {1:'goodbye', 2:null})cel", R"cel(false)cel");
  expect_eq(R"cel(24 != 42)cel", R"cel(true)cel");
  expect_eq(R"cel(1 != 1)cel", R"cel(false)cel");
  expect_eq(R"cel(1u != 2u)cel", R"cel(true)cel");
  expect_eq(R"cel(99u != 99u)cel", R"cel(false)cel");
  expect_eq(R"cel(9.0e+3 != 9001.0)cel", R"cel(true)cel");
  expect_eq(R"cel(0.0/0.0 != 0.0/0.0)cel", R"cel(true)cel");
  expect_eq(R"cel(1.0 != 1e+0)cel", R"cel(false)cel");
  expect_eq(R"cel(0.0/0.0 != 0.0/0.0)cel", R"cel(true)cel");
  expect_eq(R"cel('abc' != '')cel", R"cel(true)cel");
  expect_eq(R"cel('abc' != 'abc')cel", R"cel(false)cel");
  expect_eq(R"cel('résumé' != 'resume')cel", R"cel(true)cel");
  expect_eq(R"cel('ίδιο' != 'ίδιο')cel", R"cel(false)cel");
  expect_eq(R"cel(b'\x00\xFF' != b'ÿ')cel", R"cel(true)cel");
  expect_eq(R"cel(b'\303\277' != b'ÿ')cel", R"cel(false)cel");
  expect_eq(R"cel(false != true)cel", R"cel(true)cel");
  expect_eq(R"cel(true != true)cel", R"cel(false)cel");
  expect_eq(R"cel(null != null)cel", R"cel(false)cel");
  expect_eq(R"cel([] != [1])cel", R"cel(true)cel");
  expect_eq(R"cel([] != [])cel", R"cel(false)cel");
  expect_eq(R"cel([true, false, true] != [true, true, false])cel", R"cel(true)cel");
  expect_eq(R"cel([false, true] != [false, true])cel", R"cel(false)cel");
  expect_eq(R"cel([[]] != [[]])cel", R"cel(false)cel");
  expect_eq(R"cel({'k':'v'} != {'k':'v1'})cel", R"cel(true)cel");
  expect_eq(R"cel({'k':true} != {'k1':true})cel", R"cel(true)cel");
  expect_eq(R"cel({1:1.0} != {1:1.0})cel", R"cel(false)cel");
  expect_eq(R"cel({'a':'b','c':'d'} != {'c':'d','a':'b'})cel", R"cel(false)cel");
}

// 1 == 1.0 holds at runtime when the operands are dyn (heterogeneous equality).
TEST(CelConformance, HeterogeneousNumericEquality) {
  expect_eq(R"cel(dyn(1) == 1u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2) == 1u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1) == 1.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2) == 1.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1u) == 1)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2u) == 1)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1u) == 1.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2u) == 1.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1) == 0.0/0.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1u) == 0.0/0.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1.0) == 1)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2.0) == 1)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1.0) == 1u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2.0) == 1u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(2.1) == null)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1) == null)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1) == 1u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1) == 1.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1u) == 1)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1u) == 1.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1.0) == 1)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1.0) == 1u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1) == 2u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1) == 2.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1u) == 2)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1u) == 120)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1.0) == 2)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1.0) == 2u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(24) != 24.1)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1) != 1.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(24) != 42u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1) != 1u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1u) != 2.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(99u) != 99.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1) != 0.0/0.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1u) != 0.0/0.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(9000) != 9001.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1) != 1e+0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(9000u) != 9001.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1u) != 1e+0)cel", R"cel(false)cel");
}

TEST(CelConformance, Ordering) {
  expect_eq(R"cel(-1 < 0)cel", R"cel(true)cel");
  expect_eq(R"cel(0 < 0)cel", R"cel(false)cel");
  expect_eq(R"cel(0u < 1u)cel", R"cel(true)cel");
  expect_eq(R"cel(2u < 2u)cel", R"cel(false)cel");
  expect_eq(R"cel(1.0 < 1.0000001)cel", R"cel(true)cel");
  expect_eq(R"cel(-0.0 < 0.0)cel", R"cel(false)cel");
  expect_eq(R"cel('a' < 'b')cel", R"cel(true)cel");
  expect_eq(R"cel('' < 'a')cel", R"cel(true)cel");
  expect_eq(R"cel('Abc' < 'aBC')cel", R"cel(true)cel");
  expect_eq(R"cel('abc' < 'abcd')cel", R"cel(true)cel");
  expect_eq(R"cel('a' < '\u00E1')cel", R"cel(true)cel");
  expect_eq(R"cel('' < '')cel", R"cel(false)cel");
  expect_eq(R"cel('abc' < 'abc')cel", R"cel(false)cel");
  expect_eq(R"cel('a' < 'AB')cel", R"cel(false)cel");
  expect_eq(R"cel('f' < '\u1EBF')cel", R"cel(true)cel");
  expect_eq(R"cel(b'a' < b'b')cel", R"cel(true)cel");
  expect_eq(R"cel(b'abc' < b'abc')cel", R"cel(false)cel");
  expect_eq(R"cel(b'á' < b'b')cel", R"cel(false)cel");
  expect_eq(R"cel(false < true)cel", R"cel(true)cel");
  expect_eq(R"cel(true < true)cel", R"cel(false)cel");
  expect_eq(R"cel(true < false)cel", R"cel(false)cel");
  expect_eq(R"cel(42 > -42)cel", R"cel(true)cel");
  expect_eq(R"cel(0 > 0)cel", R"cel(false)cel");
  expect_eq(R"cel(48u > 46u)cel", R"cel(true)cel");
  expect_eq(R"cel(0u > 999u)cel", R"cel(false)cel");
  expect_eq(R"cel(1e+1 > 1e+0)cel", R"cel(true)cel");
  expect_eq(R"cel(.99 > 9.9e-1)cel", R"cel(false)cel");
  expect_eq(R"cel('abc' > 'aBc')cel", R"cel(true)cel");
  expect_eq(R"cel('A' > '')cel", R"cel(true)cel");
  expect_eq(R"cel('' > '')cel", R"cel(false)cel");
  expect_eq(R"cel('α' > 'omega')cel", R"cel(true)cel");
  expect_eq("b'\001' > b'\000'"sv, R"cel(true)cel");
  expect_eq("b'\000' > b''"sv, R"cel(true)cel");
  expect_eq("b'\000\001' > b'\001'"sv, R"cel(false)cel");
  expect_eq(R"cel(true > false)cel", R"cel(true)cel");
  expect_eq(R"cel(false > true)cel", R"cel(false)cel");
  expect_eq(R"cel(true > true)cel", R"cel(false)cel");
  expect_eq(R"cel(0 <= 1)cel", R"cel(true)cel");
  expect_eq(R"cel(1 <= 1)cel", R"cel(true)cel");
  expect_eq(R"cel(1 <= -1)cel", R"cel(false)cel");
  expect_eq(R"cel(0u <= 1u)cel", R"cel(true)cel");
  expect_eq(R"cel(1u <= 1u)cel", R"cel(true)cel");
  expect_eq(R"cel(1u <= 0u)cel", R"cel(false)cel");
  expect_eq(R"cel(0.0 <= 0.1e-31)cel", R"cel(true)cel");
  expect_eq(R"cel(0.0 <= 0e-1)cel", R"cel(true)cel");
  expect_eq(R"cel(1.0 <= 0.99)cel", R"cel(false)cel");
  expect_eq(R"cel('' <= '')cel", R"cel(true)cel");
  expect_eq(R"cel('' <= 'a')cel", R"cel(true)cel");
  expect_eq(R"cel('a' <= '')cel", R"cel(false)cel");
  expect_eq(R"cel('aBc' <= 'abc')cel", R"cel(true)cel");
  expect_eq(R"cel('α' <= 'α')cel", R"cel(true)cel");
  expect_eq(R"cel('a' <= 'α')cel", R"cel(true)cel");
  expect_eq(R"cel('α' <= 'a')cel", R"cel(false)cel");
  expect_eq("b'' <= b'\000'"sv, R"cel(true)cel");
  expect_eq("b'\001\000' <= b'\001'"sv, R"cel(false)cel");
  expect_eq(R"cel(false <= true)cel", R"cel(true)cel");
  expect_eq(R"cel(false <= false)cel", R"cel(true)cel");
  expect_eq(R"cel(true <= false)cel", R"cel(false)cel");
  expect_eq(R"cel(0 >= -1)cel", R"cel(true)cel");
  expect_eq(R"cel(999 >= 999)cel", R"cel(true)cel");
  expect_eq(R"cel(999 >= 1000)cel", R"cel(false)cel");
  expect_eq(R"cel(1u >= 0u)cel", R"cel(true)cel");
  expect_eq(R"cel(0u >= 0u)cel", R"cel(true)cel");
  expect_eq(R"cel(1u >= 10u)cel", R"cel(false)cel");
  expect_eq(R"cel(1e+1 >= 1e+0)cel", R"cel(true)cel");
  expect_eq(R"cel(9.80665 >= 9.80665e+0)cel", R"cel(true)cel");
  expect_eq(R"cel(0.9999 >= 1.0)cel", R"cel(false)cel");
  expect_eq(R"cel('' >= '')cel", R"cel(true)cel");
  expect_eq(R"cel('a' >= '')cel", R"cel(true)cel");
  expect_eq(R"cel('' >= 'a')cel", R"cel(false)cel");
  expect_eq(R"cel('abcd' >= 'abc')cel", R"cel(true)cel");
  expect_eq(R"cel('abc' >= 'abd')cel", R"cel(false)cel");
  expect_eq(R"cel('τ' >= 'τ')cel", R"cel(true)cel");
  expect_eq(R"cel('τ' >= 't')cel", R"cel(true)cel");
  expect_eq(R"cel('t' >= 'τ')cel", R"cel(false)cel");
  expect_eq("b'\000' >= b''"sv, R"cel(true)cel");
  expect_eq("b'' >= b'\000'"sv, R"cel(false)cel");
  expect_eq("b'\000\001' >= b'\001\000'"sv, R"cel(false)cel");
  expect_eq(R"cel(true >= false)cel", R"cel(true)cel");
  expect_eq(R"cel(true >= true)cel", R"cel(true)cel");
  expect_eq(R"cel(false >= true)cel", R"cel(false)cel");
}

TEST(CelConformance, CrossTypeNumericOrdering) {
  expect_eq(R"cel(dyn(1) < 2u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1) < 2.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1u) < 2)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1u) < 2.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1.0) < 2)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1.0) < 2u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1) < 1u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1) < 1.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1u) < 1)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1u) < 1.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1.0) < 1)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1.0) < 1u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1) < 9223372036854775808u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(-1) < 0u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(9223372036854775807) < 9223372036854775808.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(9223372036854775807) < 9223372036854777857.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(9223372036854775807) < -9223372036854777857.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(-9223372036854775808) < -9223372036854775809.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1u) < -9223372036854775808)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(9223372036854775808u) < 1)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(18446744073709551615u) < -1.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(18446744073709551615u) < 18446744073709590000.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(18446744073709553665.0) < 18446744073709551615u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(9223372036854775808.0) < 9223372036854775807)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(-9223372036854775809.0) < -9223372036854775808)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(2) > 1u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2) > 1.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2u) > 1)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2u) > 1.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2.0) > 1)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2.0) > 1u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1) > 1u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1) > 1.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1u) > 1)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1u) > 1.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1.0) > 1)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1.0) > 1u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1) > 9223372036854775808u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(-1) > 0u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(9223372036854775807) > 9223372036854775808.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(-9223372036854775808) > -9223372036854775809.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(-9223372036854775808) > -9223372036854777857.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1u) > -1)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(9223372036854775808u) > 1)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(9223372036854775807u) > -1.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(18446744073709551615u) > 18446744073709590000.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(18446744073709553665.0) > 18446744073709551615u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(9223372036854775808.0) > 9223372036854775807)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(-9223372036854775809.0) > -9223372036854775808)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1) <= 2u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1) <= 2.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1u) <= 2)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1u) <= 2.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1.0) <= 2)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1.0) <= 2u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2) <= 1u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(2) <= 1.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(2u) <= 1)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(2u) <= 1.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(2.0) <= 1)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(2.0) <= 1u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1) <= 9223372036854775808u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(-1) <= 0u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(9223372036854775807) <= 9223372036854775808.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(-9223372036854775808) <= -9223372036854775809.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(-9223372036854775808) <= -9223372036854777857.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1u) <= -9223372036854775808)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(9223372036854775808u) <= 1)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(18446744073709551615u) <= -1.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(18446744073709551615u) <= 18446744073709590000.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(18446744073709553665.0) <= 18446744073709551615u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(9223372036854775808.0) <= 9223372036854775807)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(-9223372036854775809.0) <= -9223372036854775808)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2) >= 1u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2) >= 1.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2u) >= 1)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2u) >= 1.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2.0) >= 1)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(2.0) >= 1u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(0) >= 1u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(0) >= 1.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(0u) >= 1)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(0u) >= 1.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(0.0) >= 1)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(0.0) >= 1u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(1) >= 9223372036854775808u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(-1) >= 0u)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(9223372036854775807) >= 9223372036854775808.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(9223372036854775807) >= 9223372036854777857.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(-9223372036854775808) >= -9223372036854775809.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(-9223372036854775808) >= -9223372036854777857.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(1u) >= -1)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(9223372036854775808u) >= 1)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(9223372036854775807u) >= -1.0)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(18446744073709551615u) >= 18446744073709553665.0)cel", R"cel(false)cel");
  expect_eq(R"cel(dyn(18446744073709553665.0) >= 18446744073709551615u)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(9223372036854775808.0) >= 9223372036854775807)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(-9223372036854775809.0) >= -9223372036854775808)cel", R"cel(true)cel");
}

// Kubernetes enables cross-type numeric comparisons in the checker too, so these need no
// dyn().
TEST(CelConformance, CrossTypeNumericOrderingChecked) {
  expect_true("1 < 1.5");
  expect_true("2u > 1");
  expect_true("1 <= 1.0");
  expect_true("-1 < 0u");
  expect_true("3.0 >= 3u");
  expect_eq("1.5 > 2", "false");
  expect_eq("9223372036854775807 < 9223372036854775808.0", "false");
  expect_true(Vars{{"self", types::int64(), Value(2)}}, "self > 1.4");
}

TEST(CelConformance, ComparisonsWithVariables) {
  expect_eq(Vars{{"x", types::bytes(), Value::bytes(std::string(1, '\0'))}}, R"(x > b'\x00')", "false");
  expect_eq(Vars{{"x", types::int64(), Value(124)}}, "123 <= x", "true");
  expect_eq(Vars{{"x", types::boolean(), Value(true)}}, "false < x", "true");
  expect_eq(Vars{{"x", types::double_(), Value(9.8)}}, "x != 9.8", "false");
  expect_eq(Vars{{"x", types::map(types::string(), types::string()), map_value({{"c", "d"}, {"a", "b"}})}},
            "{'a':'b','c':'d'} != x", "false");
  expect_eq(Vars{{"x", types::null(), Value()}}, "x == null", "true");
  expect_eq(Vars{{"x", types::list(types::int64()), list_value({Value(2), Value(1)})}}, "[1, 2] == x",
            "false");
  expect_eq(Vars{{"x", types::string(), Value("abc")}}, "'abcd' >= x", "true");
  expect_eq(Vars{{"x", types::uint64(), Value(uint64_t{1000})}}, "999u == x", "false");
}

TEST(CelConformance, InOperator) {
  expect_eq(R"cel('empty' in [])cel", R"cel(false)cel");
  expect_eq(R"cel('elem' in ['elem', 'elemA', 'elemB'])cel", R"cel(true)cel");
  expect_eq(R"cel('not' in ['elem1', 'elem2', 'elem3'])cel", R"cel(false)cel");
  expect_eq(R"cel('elem' in [1, 'elem', 2])cel", R"cel(true)cel");
  expect_eq(R"cel('elem' in [1u, 'str', 2, b'bytes'])cel", R"cel(false)cel");
  expect_eq(R"cel('empty' in {})cel", R"cel(false)cel");
  expect_eq(R"cel('key' in {'key':'1', 'other':'2'})cel", R"cel(true)cel");
  expect_eq(R"cel('key' in {'lock':1, 'gate':2})cel", R"cel(false)cel");
  expect_eq(R"cel('key' in {3:3.0, 'key':2u})cel", R"cel(true)cel");
  expect_eq(R"cel('key' in {1u:'str', 2:b'bytes'})cel", R"cel(false)cel");
  expect_eq(R"cel(7 in [])cel", R"cel(false)cel");
  expect_eq(R"cel(4u in [4u])cel", R"cel(true)cel");
  expect_eq(R"cel('alpha' in ['alpha', 'beta', 'gamma'])cel", R"cel(true)cel");
  expect_eq(R"cel(3 in [5, 4, 3, 2, 1])cel", R"cel(true)cel");
  expect_eq(R"cel(20u in [4u, 6u, 8u, 12u, 20u])cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(3.0) in [5, 4, 3, 2, 1])cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(3u) in [5, 4, 3, 2, 1])cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(3) in [5.0, 4.0, 3.0, 2.0, 1.0])cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(3u) in [5.0, 4.0, 3.0, 2.0, 1.0])cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(3) in [5u, 4u, 3u, 2u, 1u])cel", R"cel(true)cel");
  expect_eq(R"cel(dyn(3.0) in [5u, 4u, 3u, 2u, 1u])cel", R"cel(true)cel");
  expect_eq(R"cel('hawaiian' in ['meat', 'veggie', 'margarita', 'cheese'])cel", R"cel(false)cel");
  expect_eq(R"cel(7 in {})cel", R"cel(false)cel");
  expect_eq(R"cel(true in {true: 1})cel", R"cel(true)cel");
  expect_eq(R"cel('George' in {'John': 'smart', 'Paul': 'cute', 'George': 'quiet', 'Ringo': 'funny'})cel",
            R"cel(true)cel");
  expect_eq(R"cel('spider' in {'ant': 6, 'fly': 6, 'centipede': 100})cel", R"cel(false)cel");
  expect_eq(R"cel(3.0 in {1: 1, 2: 2, 3u: 3} && 2u in {1u: 1, 2: 2} && 1 in {1u: 1, 2: 2})cel",
            R"cel(true)cel");
  expect_eq(R"cel(3.1 in {1: 1, 2: 2, 3u: 3})cel", R"cel(false)cel");
}

TEST(CelConformance, Logic) {
  expect_eq(R"cel(true ? 1 : 2)cel", R"cel(1)cel");
  expect_eq(R"cel(false ? 'foo' : 'bar')cel", R"cel("bar")cel");
  expect_error(R"cel(2 / 0 > 4 ? 'baz' : 'quux')cel", "division by zero");
  expect_eq(R"cel(true && true)cel", R"cel(true)cel");
  expect_eq(R"cel(false && false)cel", R"cel(false)cel");
  expect_eq(R"cel(false && true)cel", R"cel(false)cel");
  expect_eq(R"cel(true && false)cel", R"cel(false)cel");
  expect_eq(R"cel(false && (2 / 0 > 3 ? false : true))cel", R"cel(false)cel");
  expect_eq(R"cel((2 / 0 > 3 ? false : true) && false)cel", R"cel(false)cel");
  expect_error(R"cel(true && 1/0 != 0)cel", "division by zero");
  expect_error(R"cel(1/0 != 0 && true)cel", "division by zero");
  expect_eq(R"cel(true || true)cel", R"cel(true)cel");
  expect_eq(R"cel(false || false)cel", R"cel(false)cel");
  expect_eq(R"cel(false || true)cel", R"cel(true)cel");
  expect_eq(R"cel(true || false)cel", R"cel(true)cel");
  expect_eq(R"cel(true || (2 / 0 > 3 ? false : true))cel", R"cel(true)cel");
  expect_eq(R"cel((2 / 0 > 3 ? false : true) || true)cel", R"cel(true)cel");
  expect_error(R"cel(false || 1/0 != 0)cel", "division by zero");
  expect_error(R"cel(1/0 != 0 || false)cel", "division by zero");
  expect_eq(R"cel(!true)cel", R"cel(false)cel");
  expect_eq(R"cel(!false)cel", R"cel(true)cel");
}

TEST(CelConformance, IntegerMath) {
  expect_eq(R"cel(40 + 2)cel", R"cel(42)cel");
  expect_eq(R"cel(42 + (-7))cel", R"cel(35)cel");
  expect_eq(R"cel(-4 + (-2))cel", R"cel(-6)cel");
  expect_eq(R"cel(42 - 12)cel", R"cel(30)cel");
  expect_eq(R"cel(42 - (-22))cel", R"cel(64)cel");
  expect_eq(R"cel(-42 - (-12))cel", R"cel(-30)cel");
  expect_eq(R"cel(42 * 2)cel", R"cel(84)cel");
  expect_eq(R"cel(40 * (-2))cel", R"cel(-80)cel");
  expect_eq(R"cel(-30 * (-2))cel", R"cel(60)cel");
  expect_eq(R"cel(42 / 2)cel", R"cel(21)cel");
  expect_eq(R"cel(-20 / 2)cel", R"cel(-10)cel");
  expect_eq(R"cel(-80 / (-2))cel", R"cel(40)cel");
  expect_eq(R"cel(47 % 5)cel", R"cel(2)cel");
  expect_eq(R"cel(43 % (-5))cel", R"cel(3)cel");
  expect_eq(R"cel(-42 % (-5))cel", R"cel(-2)cel");
  expect_eq(R"cel(-3 % 5)cel", R"cel(-3)cel");
  expect_eq(R"cel(-(42))cel", R"cel(-42)cel");
  expect_eq(R"cel(-(-42))cel", R"cel(42)cel");
  expect_error(R"cel(34 % 0)cel", "modulus by zero");
  expect_eq(R"cel(-(0))cel", R"cel(0)cel");
  expect_eq(R"cel(-(-42))cel", R"cel(42)cel");
  expect_error(R"cel(15 / 0)cel", "division by zero");
  expect_eq(R"cel(15 * 0)cel", R"cel(0)cel");
  expect_eq(R"cel(0 + 17)cel", R"cel(17)cel");
  expect_eq(R"cel( 29 + 0)cel", R"cel(29)cel");
  expect_eq(R"cel(75 + 15 == 15 + 75)cel", R"cel(true)cel");
  expect_eq(R"cel(5 + (15 + 20) == (5 + 15) + 20)cel", R"cel(true)cel");
  expect_eq(R"cel(1 * 45)cel", R"cel(45)cel");
  expect_eq(R"cel(-25 * 1)cel", R"cel(-25)cel");
  expect_eq(R"cel(15 * 25 == 25 * 15)cel", R"cel(true)cel");
  expect_eq(R"cel(15 * (23 * 88) == (15 * 23) * 88)cel", R"cel(true)cel");
  expect_eq(R"cel(5 * (15 + 25)  == 5 * 15 + 5 * 25)cel", R"cel(true)cel");
  expect_error(R"cel(9223372036854775807 + 1)cel", "overflow");
  expect_error(R"cel(-9223372036854775808 - 1)cel", "overflow");
  expect_error(R"cel(-9223372036854775808 + (-1))cel", "overflow");
  expect_error(R"cel(1 - (-9223372036854775807))cel", "overflow");
  expect_error(R"cel(-(-9223372036854775808))cel", "overflow");
  expect_error(R"cel((-9223372036854775808) * -1)cel", "overflow");
  expect_error(R"cel((-9223372036854775808)/-1)cel", "overflow");
  expect_error(R"cel(5000000000 * 5000000000)cel", "overflow");
  expect_error(R"cel((-5000000000) * 5000000000)cel", "overflow");
  expect_error(R"cel(18446744073709551615u + 1u)cel", "overflow");
  expect_error(R"cel(0u - 1u)cel", "overflow");
  expect_error(R"cel(5000000000u * 5000000000u)cel", "overflow");
  expect_eq(R"cel(42u + 2u)cel", R"cel(44u)cel");
  expect_eq(R"cel(42u - 12u)cel", R"cel(30u)cel");
  expect_eq(R"cel(40u * 2u)cel", R"cel(80u)cel");
  expect_eq(R"cel(60u / 2u)cel", R"cel(30u)cel");
  expect_eq(R"cel(42u % 5u)cel", R"cel(2u)cel");
  expect_error(R"cel(34u % 0u)cel", "modulus by zero");
  expect_error(R"cel(15u / 0u)cel", "division by zero");
  expect_eq(R"cel(15u * 0u)cel", R"cel(0u)cel");
  expect_eq(R"cel(0u + 17u)cel", R"cel(17u)cel");
  expect_eq(R"cel( 29u + 0u)cel", R"cel(29u)cel");
  expect_eq(R"cel(75u + 15u == 15u + 75u)cel", R"cel(true)cel");
  expect_eq(R"cel(5u + (15u + 20u) == (5u + 15u) + 20u)cel", R"cel(true)cel");
  expect_eq(R"cel(1u * 45u)cel", R"cel(45u)cel");
  expect_eq(R"cel(25u * 1u)cel", R"cel(25u)cel");
  expect_eq(R"cel(15u * 25u == 25u * 15u)cel", R"cel(true)cel");
  expect_eq(R"cel(15u * (23u * 88u) == (15u * 23u) * 88u)cel", R"cel(true)cel");
  expect_eq(R"cel(5u * (15u + 25u)  == 5u * 15u + 5u * 25u)cel", R"cel(true)cel");
}

TEST(CelConformance, FloatingPointMath) {
  expect_eq(R"cel(4.25 + 15.25)cel", R"cel(19.5)cel");
  expect_eq(R"cel(17.75 + (-7.75))cel", R"cel(10.0)cel");
  expect_eq(R"cel(-4.125 + (-2.125))cel", R"cel(-6.25)cel");
  expect_eq(R"cel(42.0 - 12.0)cel", R"cel(30.0)cel");
  expect_eq(R"cel(42.875 - (-22.0))cel", R"cel(64.875)cel");
  expect_eq(R"cel(-4.875 - (-0.125))cel", R"cel(-4.75)cel");
  expect_eq(R"cel(42.5 * 0.2)cel", R"cel(8.5)cel");
  expect_eq(R"cel(40.75 * (-2.25))cel", R"cel(-91.6875)cel");
  expect_eq(R"cel(-3.0 * (-2.5))cel", R"cel(7.5)cel");
  expect_eq(R"cel(0.0625 / 0.002)cel", R"cel(31.25)cel");
  expect_eq(R"cel(-2.0 / 2.0)cel", R"cel(-1.0)cel");
  expect_eq(R"cel(-8.875 / (-0.0625))cel", R"cel(142.0)cel");
  expect_eq(R"cel(-(4.5))cel", R"cel(-4.5)cel");
  expect_eq(R"cel(-(-1.25))cel", R"cel(1.25)cel");
  expect_eq(R"cel(-(0.0))cel", R"cel(-0.0)cel");
  expect_value(R"cel(15.75 / 0.0)cel", Value(std::numeric_limits<double>::infinity()));
  expect_eq(R"cel(15.36 * 0.0)cel", R"cel(0.0)cel");
  expect_eq(R"cel(0.0 + 1.75)cel", R"cel(1.75)cel");
  expect_eq(R"cel( 2.5 + 0.0)cel", R"cel(2.5)cel");
  expect_eq(R"cel(7.5 + 1.5 == 1.5 + 7.5)cel", R"cel(true)cel");
  expect_eq(R"cel(5.625 + (15.75 + 2.0) == (5.625 + 15.75) + 2.0)cel", R"cel(true)cel");
  expect_eq(R"cel(1.0 * 45.25)cel", R"cel(45.25)cel");
  expect_eq(R"cel(-25.25 * 1.0)cel", R"cel(-25.25)cel");
  expect_eq(R"cel(1.5 * 25.875 == 25.875 * 1.5)cel", R"cel(true)cel");
  expect_eq(R"cel(1.5 * (23.625 * 0.75) == (1.5 * 23.625) * 0.75)cel", R"cel(true)cel");
  expect_eq(R"cel(5.75 * (1.5 + 2.5)  == 5.75 * 1.5 + 5.75 * 2.5)cel", R"cel(true)cel");
  expect_value(R"cel(2.0 * 8.988466e+307 )cel", Value(std::numeric_limits<double>::infinity()));
  expect_value(R"cel(2.0 * -8.988466e+307 )cel", Value(-std::numeric_limits<double>::infinity()));
  expect_eq(R"cel(1e-324  / 2.0)cel", R"cel(0.0)cel");
}

TEST(CelConformance, Strings) {
  expect_eq(R"cel(size(''))cel", R"cel(0)cel");
  expect_eq(R"cel(size('A'))cel", R"cel(1)cel");
  expect_eq(R"cel(size('ÿ'))cel", R"cel(1)cel");
  expect_eq(R"cel(size('four'))cel", R"cel(4)cel");
  expect_eq(R"cel(size('πέντε'))cel", R"cel(5)cel");
  expect_eq(R"cel(size(b''))cel", R"cel(0)cel");
  expect_eq(R"cel(size(b'abc'))cel", R"cel(3)cel");
  expect_eq(R"cel('foobar'.startsWith('foo'))cel", R"cel(true)cel");
  expect_eq(R"cel('foobar'.startsWith('bar'))cel", R"cel(false)cel");
  expect_eq(R"cel(''.startsWith('foo'))cel", R"cel(false)cel");
  expect_eq(R"cel('foobar'.startsWith(''))cel", R"cel(true)cel");
  expect_eq(R"cel(''.startsWith(''))cel", R"cel(true)cel");
  expect_eq(R"cel('завтра'.startsWith('за'))cel", R"cel(true)cel");
  expect_eq(R"cel('🐱😀😛'.startsWith('🐱'))cel", R"cel(true)cel");
  expect_eq(R"cel('foobar'.endsWith('bar'))cel", R"cel(true)cel");
  expect_eq(R"cel('foobar'.endsWith('foo'))cel", R"cel(false)cel");
  expect_eq(R"cel(''.endsWith('foo'))cel", R"cel(false)cel");
  expect_eq(R"cel('foobar'.endsWith(''))cel", R"cel(true)cel");
  expect_eq(R"cel(''.endsWith(''))cel", R"cel(true)cel");
  expect_eq(R"cel('forté'.endsWith('té'))cel", R"cel(true)cel");
  expect_eq(R"cel('🐱😀😛'.endsWith('😛'))cel", R"cel(true)cel");
  expect_eq(R"cel('hubba'.matches('ubb'))cel", R"cel(true)cel");
  expect_eq(R"cel(''.matches('foo|bar'))cel", R"cel(false)cel");
  expect_eq(R"cel('cows'.matches(''))cel", R"cel(true)cel");
  expect_eq(R"cel(''.matches(''))cel", R"cel(true)cel");
  expect_eq(R"cel('abcd'.matches('bc'))cel", R"cel(true)cel");
  expect_eq(R"cel('grey'.matches('gr(a|e)y'))cel", R"cel(true)cel");
  expect_eq(R"cel('banana'.matches('ba(na)*'))cel", R"cel(true)cel");
  expect_eq(R"cel('mañana'.matches('a+ñ+a+'))cel", R"cel(true)cel");
  expect_eq(R"cel('🐱😀😀'.matches('(a|😀){2}'))cel", R"cel(true)cel");
  expect_eq(R"cel('he' + 'llo')cel", R"cel("hello")cel");
  expect_eq(R"cel('hello' + ' ' == 'hello')cel", R"cel(false)cel");
  expect_eq(R"cel('' + 'abc')cel", R"cel("abc")cel");
  expect_eq(R"cel('abc' + '')cel", R"cel("abc")cel");
  expect_eq(R"cel('' + '')cel", R"cel("")cel");
  expect_eq(R"cel('¢' + 'ÿ' + 'Ȁ')cel", R"cel("¢ÿȀ")cel");
  expect_eq(R"cel('r' + 'ô' + 'le')cel", R"cel("rôle")cel");
  expect_eq(R"cel('a' + 'ÿ' + '🐱')cel", R"cel("aÿ🐱")cel");
  expect_eq(R"cel('' + 'Ω' + '')cel", R"cel("Ω")cel");
  expect_eq(R"cel('hello'.contains('he'))cel", R"cel(true)cel");
  expect_eq(R"cel('hello'.contains(''))cel", R"cel(true)cel");
  expect_eq(R"cel('hello'.contains('ol'))cel", R"cel(false)cel");
  expect_eq(R"cel('abababc'.contains('ababc'))cel", R"cel(true)cel");
  expect_eq(R"cel('Straße'.contains('aß'))cel", R"cel(true)cel");
  expect_eq(R"cel('🐱😀😁'.contains('😀'))cel", R"cel(true)cel");
  expect_eq(R"cel(''.contains('something'))cel", R"cel(false)cel");
  expect_eq(R"cel(''.contains(''))cel", R"cel(true)cel");
  expect_eq(R"cel(b'abc' + b'def')cel", R"cel(b"abcdef")cel");
  expect_eq(R"cel(b'' + b'\xffoo')cel", R"cel(b"\xffoo")cel");
  expect_eq(R"cel(b'zxy' + b'')cel", R"cel(b"zxy")cel");
  expect_eq(R"cel(b'' + b'')cel", R"cel(b"")cel");
}

TEST(CelConformance, Lists) {
  expect_eq(R"cel([0, 1, 2] + [3, 4, 5] == [0, 1, 2, 3, 4, 5])cel", R"cel(true)cel");
  expect_eq(R"cel([0, 1, 2] + [3, 4, 5] == [3, 4, 5, 0, 1, 2])cel", R"cel(false)cel");
  expect_eq(R"cel([2] + [2])cel", R"cel([2, 2])cel");
  expect_eq(R"cel([] + [])cel", R"cel([])cel");
  expect_eq(R"cel([] + [3, 4])cel", R"cel([3, 4])cel");
  expect_eq(R"cel([1, 2] + [])cel", R"cel([1, 2])cel");
  expect_eq(R"cel([7, 8, 9][0])cel", R"cel(7)cel");
  expect_eq(R"cel([7, 8, 9][dyn(0.0)])cel", R"cel(7)cel");
  expect_error(R"cel([7, 8, 9][dyn(0.1)])cel", "unsupported index value");
  expect_eq(R"cel([7, 8, 9][dyn(0u)])cel", R"cel(7)cel");
  expect_eq(R"cel(['foo'][0])cel", R"cel("foo")cel");
  expect_eq(R"cel([0, 1, 1, 2, 3, 5, 8, 13][4])cel", R"cel(3)cel");
  expect_eq(R"cel(['George', 'John', 'Paul', 'Ringo'][3])cel", R"cel("Ringo")cel");
  expect_error(R"cel([1, 2, 3][3])cel", "out of range");
  expect_error(R"cel(dyn([1, 2, 3][3]) || false)cel", "out of range");
  expect_eq(R"cel(dyn([1, 2, 3][3]) || true)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn([1, 2, 3][3]) && false)cel", R"cel(false)cel");
  expect_error(R"cel(dyn([1, 2, 3][3]) && true)cel", "out of range");
  expect_error(R"cel([1, 2, 3][dyn('')])cel", "no such overload");
  expect_error(R"cel(dyn([1, 2, 3][dyn('')]) || false)cel", "no such overload");
  expect_eq(R"cel(dyn([1, 2, 3][dyn('')]) || true)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn([1, 2, 3][dyn('')]) && false)cel", R"cel(false)cel");
  expect_error(R"cel(dyn([1, 2, 3][dyn('')]) && true)cel", "no such overload");
  expect_eq(R"cel(size([]))cel", R"cel(0)cel");
  expect_eq(R"cel(size([1, 2, 3]))cel", R"cel(3)cel");
  expect_eq(R"cel(size({}))cel", R"cel(0)cel");
  expect_eq(R"cel(size({1: 'one', 2: 'two', 3: 'three'}))cel", R"cel(3)cel");
}

TEST(CelConformance, MapsAndFields) {
  expect_eq(R"cel({0:1,2:2,5:true}[5])cel", R"cel(true)cel");
  expect_eq(R"cel({0u:1u,2u:'happy',5u:3u}[2u])cel", R"cel("happy")cel");
  expect_eq(R"cel({'name':100u}['name'])cel", R"cel(100u)cel");
  expect_eq(R"cel({true:5}[true])cel", R"cel(5)cel");
  expect_eq(R"cel({true:1,2:2,5u:3}[true])cel", R"cel(1)cel");
  expect_eq(R"cel({1u: 1.0, 2: 2.0, 3u: 3.0}[3.0])cel", R"cel(3.0)cel");
  expect_error(R"cel({1u: 1.0, 2: 2.0, 3u: 3.0}[3.1])cel", "no such key");
  expect_eq(R"cel({1u: 1.0, 2: 2.0, 3u: 3.0}[2u])cel", R"cel(2.0)cel");
  expect_eq(R"cel({1u: 1.0, 2: 2.0, 3u: 3.0}[1])cel", R"cel(1.0)cel");
  expect_error(R"cel({0:1,2:2,5:3}[1])cel", "no such key");
  expect_error(R"cel(dyn({0:1,2:2,5:3}[1]) || false)cel", "no such key");
  expect_eq(R"cel(dyn({0:1,2:2,5:3}[1]) || true)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn({0:1,2:2,5:3}[1]) && false)cel", R"cel(false)cel");
  expect_error(R"cel(dyn({0:1,2:2,5:3}[1]) && true)cel", "no such key");
  expect_error(R"cel({0:1,2:2,5:3}[dyn(b'')])cel", "no such key");
  expect_error(R"cel(dyn({0:1,2:2,5:3}[dyn(b'')]) || false)cel", "no such key");
  expect_eq(R"cel(dyn({0:1,2:2,5:3}[dyn(b'')]) || true)cel", R"cel(true)cel");
  expect_eq(R"cel(dyn({0:1,2:2,5:3}[dyn(b'')]) && false)cel", R"cel(false)cel");
  expect_error(R"cel(dyn({0:1,2:2,5:3}[dyn(b'')]) && true)cel", "no such key");
  expect_eq(R"cel({true:null}[true])cel", R"cel(null)cel");
  expect_eq(R"cel({27:false}[27])cel", R"cel(false)cel");
  expect_eq(R"cel({'n':'x'}['n'])cel", R"cel("x")cel");
  expect_eq(R"cel({3:15.15}[3])cel", R"cel(15.15)cel");
  expect_eq(R"cel({0u:1u,2u:2u,5u:3u}[0u])cel", R"cel(1u)cel");
  expect_eq(R"cel({true:1,false:2}[true])cel", R"cel(1)cel");
  expect_eq(R"cel({0:b''}[0])cel", R"cel(b"")cel");
  expect_eq(R"cel({0u:[1]}[0u])cel", R"cel([1])cel");
  expect_eq(R"cel({'map': {'k': 'v'}}['map'])cel", R"cel({"k": "v"})cel");
  expect_eq(R"cel({'map': {'k': 'v'}, 'list': [1]}['map'])cel", R"cel({"k": "v"})cel");
  expect_eq(R"cel(has({'a': 1, 'b': 2}.a))cel", R"cel(true)cel");
  expect_eq(R"cel(has({'a': 1, 'b': 2}.c))cel", R"cel(false)cel");
  expect_eq(R"cel(has({}.a))cel", R"cel(false)cel");
}

TEST(CelConformance, MapFieldsOfVariables) {
  Vars m{{"x", types::map(types::string(), types::int64()), map_value({{"name", Value(1024)}})}};
  expect_eq(m, "x.name", "1024");
  Vars h{{"x", types::map(types::string(), types::string()), map_value({{"holiday", "field"}})}};
  expect_error(h, "x.name", "no such key");
  expect_error(h, "dyn(x.name) || false", "no such key");
  expect_true(h, "dyn(x.name) || true");
  expect_eq(h, "dyn(x.name) && false", "false");
  expect_error(h, "dyn(x.name) && true", "no such key");
}

TEST(CelConformance, Macros) {
  expect_eq(R"cel([1, 2, 3].exists(e, e > 0))cel", R"cel(true)cel");
  expect_eq(R"cel([1, 2, 3].exists(e, e == 2))cel", R"cel(true)cel");
  expect_eq(R"cel([1, 2, 3].exists(e, e > 3))cel", R"cel(false)cel");
  expect_eq(R"cel([1, 'foo', 3].exists(e, e != '1'))cel", R"cel(true)cel");
  expect_eq(R"cel([1, 'foo', 3].exists(e, e == '10'))cel", R"cel(false)cel");
  expect_error(R"cel([1, 2, 3].exists(e, e / 0 == 17))cel", "division by zero");
  expect_eq(R"cel([].exists(e, e == 2))cel", R"cel(false)cel");
  expect_eq(R"cel({'key1':1, 'key2':2}.exists(k, k == 'key2'))cel", R"cel(true)cel");
  expect_eq(R"cel(!{'key1':1, 'key2':2}.exists(k, k == 'key3'))cel", R"cel(true)cel");
  expect_eq(R"cel({'key':1, 1:21}.exists(k, k != 2))cel", R"cel(true)cel");
  expect_eq(R"cel(!{'key':1, 1:42}.exists(k, k == 2))cel", R"cel(true)cel");
  expect_eq(R"cel([1, 2, 3].all(e, e > 0))cel", R"cel(true)cel");
  expect_eq(R"cel([1, 2, 3].all(e, e == 2))cel", R"cel(false)cel");
  expect_eq(R"cel([1, 2, 3].all(e, e == 17))cel", R"cel(false)cel");
  expect_eq(R"cel([1, 'foo', 3].all(e, e == 1))cel", R"cel(false)cel");
  expect_error(R"cel([1, 'foo', 3].all(e, e % 2 == 1))cel", "no such overload");
  expect_eq(R"cel([1, 2, 3].all(e, 6 / (2 - e) == 6))cel", R"cel(false)cel");
  expect_error(R"cel([1, 2, 3].all(e, e / 0 != 17))cel", "division by zero");
  expect_eq(R"cel([].all(e, e > 0))cel", R"cel(true)cel");
  expect_eq(R"cel({'key1':1, 'key2':2}.all(k, k == 'key2'))cel", R"cel(false)cel");
  expect_eq(R"cel([].exists_one(a, a == 7))cel", R"cel(false)cel");
  expect_eq(R"cel([7].exists_one(a, a == 7))cel", R"cel(true)cel");
  expect_eq(R"cel([8].exists_one(a, a == 7))cel", R"cel(false)cel");
  expect_eq(R"cel([1, 2, 3].exists_one(x, x > 20))cel", R"cel(false)cel");
  expect_eq(R"cel([6, 7, 8].exists_one(foo, foo % 5 == 2))cel", R"cel(true)cel");
  expect_eq(R"cel([0, 1, 2, 3, 4].exists_one(n, n % 2 == 1))cel", R"cel(false)cel");
  expect_eq(R"cel(['foal', 'foo', 'four'].exists_one(n, n.startsWith('fo')))cel", R"cel(false)cel");
  expect_error(R"cel([3, 2, 1, 0].exists_one(n, 12 / n > 1))cel", "division by zero");
  expect_eq(R"cel({6: 'six', 7: 'seven', 8: 'eight'}.exists_one(foo, foo % 5 == 2))cel", R"cel(true)cel");
  expect_eq(R"cel([].map(n, n / 2))cel", R"cel([])cel");
  expect_eq(R"cel([3].map(n, n * n))cel", R"cel([9])cel");
  expect_eq(R"cel([2, 4, 6].map(n, n / 2))cel", R"cel([1, 2, 3])cel");
  expect_error(R"cel([2, 1, 0].map(n, 4 / n))cel", "division by zero");
  expect_eq(R"cel({'John': 'smart'}.map(key, key) == ['John'])cel", R"cel(true)cel");
  expect_eq(R"cel([].filter(n, n % 2 == 0))cel", R"cel([])cel");
  expect_eq(R"cel([2].filter(n, n == 2))cel", R"cel([2])cel");
  expect_eq(R"cel([1].filter(n, n > 3))cel", R"cel([])cel");
  expect_eq(R"cel([1, 2, 3].filter(e, e > 3))cel", R"cel([])cel");
  expect_eq(R"cel([0, 1, 2, 3, 4].filter(x, x % 2 == 1))cel", R"cel([1, 3])cel");
  expect_eq(R"cel([1, 2, 3].filter(n, n > 0))cel", R"cel([1, 2, 3])cel");
  expect_error(R"cel([3, 2, 1, 0].filter(n, 12 / n > 4))cel", "division by zero");
  expect_eq(
      R"cel({'John': 'smart', 'Paul': 'cute', 'George': 'quiet', 'Ringo': 'funny'}.filter(key, key == 'Ringo') == ['Ringo'])cel",
      R"cel(true)cel");
  expect_eq(R"cel(['signer'].filter(signer, ['artifact'].all(artifact, true)))cel", R"cel(["signer"])cel");
  expect_eq(R"cel(['signer'].all(signer, ['artifact'].all(artifact, true)))cel", R"cel(true)cel");
}

TEST(CelConformance, Conversions) {
  expect_eq(R"cel(bytes(''))cel", R"cel(b"")cel");
  expect_eq(R"cel(bytes('abc'))cel", R"cel(b"abc")cel");
  expect_eq(R"cel(bytes('ÿ'))cel", R"cel(b"\xc3\xbf")cel");
  expect_eq(R"cel(bytes('\377') == b'\377')cel", R"cel(false)cel");
  expect_eq(R"cel(double(0))cel", R"cel(0.0)cel");
  expect_eq(R"cel(double(1000000000000))cel", R"cel(1000000000000.0)cel");
  expect_eq(R"cel(double(-1000000000000000))cel", R"cel(-1000000000000000.0)cel");
  expect_eq(R"cel(double(-9007199254740992))cel", R"cel(-9007199254740992.0)cel");
  expect_eq(R"cel(double(9007199254740992))cel", R"cel(9007199254740992.0)cel");
  expect_eq(R"cel(double(9223372036854775807))cel", R"cel(9.223372036854776e+18)cel");
  expect_eq(R"cel(double(0u))cel", R"cel(0.0)cel");
  expect_eq(R"cel(double(123u))cel", R"cel(123.0)cel");
  expect_eq(R"cel(double(9007199254740992u))cel", R"cel(9007199254740992.0)cel");
  expect_eq(R"cel(double(18446744073709551615u))cel", R"cel(1.8446744073709552e+19)cel");
  expect_eq(R"cel(double('0'))cel", R"cel(0.0)cel");
  expect_eq(R"cel(double('0.0'))cel", R"cel(0.0)cel");
  expect_eq(R"cel(double('-0.0'))cel", R"cel(-0.0)cel");
  expect_eq(R"cel(double('123'))cel", R"cel(123.0)cel");
  expect_eq(R"cel(double('123.456'))cel", R"cel(123.456)cel");
  expect_eq(R"cel(double('-987.654'))cel", R"cel(-987.654)cel");
  expect_eq(R"cel(double('6.02214e23'))cel", R"cel(6.02214e+23)cel");
  expect_eq(R"cel(double('1.38e-23'))cel", R"cel(1.38e-23)cel");
  expect_eq(R"cel(double('-84.32e7'))cel", R"cel(-843200000.0)cel");
  expect_eq(R"cel(double('-5.43e-21'))cel", R"cel(-5.43e-21)cel");
  expect_eq(R"cel(int(42u))cel", R"cel(42)cel");
  expect_eq(R"cel(int(0u))cel", R"cel(0)cel");
  expect_eq(R"cel(int(9223372036854775807u))cel", R"cel(9223372036854775807)cel");
  expect_error(R"cel(int(18446744073709551615u))cel", "integer overflow");
  expect_eq(R"cel(int(-123.456))cel", R"cel(-123)cel");
  expect_eq(R"cel(int(1.9))cel", R"cel(1)cel");
  expect_eq(R"cel(int(-7.9))cel", R"cel(-7)cel");
  expect_eq(R"cel(int(11.5))cel", R"cel(11)cel");
  expect_eq(R"cel(int(-3.5))cel", R"cel(-3)cel");
  expect_eq(R"cel(int(double(36028797018963968)))cel", R"cel(36028797018963968)cel");
  expect_eq(R"cel(int(double(36028797018963969)))cel", R"cel(36028797018963968)cel");
  expect_error(R"cel(int(9223372036854775807.0))cel", "integer overflow");
  expect_error(R"cel(int(-9223372036854775808.0))cel", "integer overflow");
  expect_error(R"cel(int(1e99))cel", "integer overflow");
  expect_eq(R"cel(int('987'))cel", R"cel(987)cel");
  expect_eq(R"cel(string(123))cel", R"cel("123")cel");
  expect_eq(R"cel(string(-456))cel", R"cel("-456")cel");
  expect_eq(R"cel(string(9876u))cel", R"cel("9876")cel");
  expect_eq(R"cel(string(123.456))cel", R"cel("123.456")cel");
  expect_eq(R"cel(string(-4.5e-3))cel", R"cel("-0.0045")cel");
  expect_eq(R"cel(string(b'abc'))cel", R"cel("abc")cel");
  expect_eq(R"cel(string(b'\303\277'))cel", R"cel("ÿ")cel");
  expect_error(R"cel(string(b'\000\xff'))cel", "invalid UTF-8");
  expect_eq(R"cel(uint(1729))cel", R"cel(1729u)cel");
  expect_eq(R"cel(uint(9223372036854775807))cel", R"cel(9223372036854775807u)cel");
  expect_error(R"cel(uint(-1))cel", "unsigned integer overflow");
  expect_eq(R"cel(uint(3.14159265))cel", R"cel(3u)cel");
  expect_eq(R"cel(uint(1.9))cel", R"cel(1u)cel");
  expect_eq(R"cel(uint(25.5))cel", R"cel(25u)cel");
  expect_eq(R"cel(uint(double(36028797018963968u)))cel", R"cel(36028797018963968u)cel");
  expect_eq(R"cel(uint(double(36028797018963969u)))cel", R"cel(36028797018963968u)cel");
  expect_error(R"cel(int(18446744073709551615.0))cel", "integer overflow");
  expect_error(R"cel(uint(6.022e23))cel", "unsigned integer overflow");
  expect_eq(R"cel(uint('300'))cel", R"cel(300u)cel");
  expect_eq(R"cel(bool('1'))cel", R"cel(true)cel");
  expect_eq(R"cel(bool('t'))cel", R"cel(true)cel");
  expect_eq(R"cel(bool('true'))cel", R"cel(true)cel");
  expect_eq(R"cel(bool('TRUE'))cel", R"cel(true)cel");
  expect_eq(R"cel(bool('True'))cel", R"cel(true)cel");
  expect_eq(R"cel(bool('0'))cel", R"cel(false)cel");
  expect_eq(R"cel(bool('f'))cel", R"cel(false)cel");
  expect_eq(R"cel(bool('false'))cel", R"cel(false)cel");
  expect_eq(R"cel(bool('FALSE'))cel", R"cel(false)cel");
  expect_eq(R"cel(bool('False'))cel", R"cel(false)cel");
  expect_error(R"cel(bool('TrUe'))cel", "type conversion error");
  expect_error(R"cel(bool('FaLsE'))cel", "type conversion error");
  expect_eq(R"cel(bool(true))cel", R"cel(true)cel");
  expect_eq(R"cel(int(1))cel", R"cel(1)cel");
  expect_eq(R"cel(uint(1u))cel", R"cel(1u)cel");
  expect_eq(R"cel(double(5.5))cel", R"cel(5.5)cel");
  expect_eq(R"cel(string('hello'))cel", R"cel("hello")cel");
  expect_eq(R"cel(bytes(b'abc'))cel", R"cel(b"abc")cel");
}

TEST(CelConformance, TypesAndDyn) {
  expect_eq(R"cel(type(dyn([1, 'one'])))cel", R"cel(list)cel");
  expect_eq(R"cel(type(true))cel", R"cel(bool)cel");
  expect_eq(R"cel(bool)cel", R"cel(bool)cel");
  expect_eq(R"cel(type(0))cel", R"cel(int)cel");
  expect_eq(R"cel(int)cel", R"cel(int)cel");
  expect_eq(R"cel(type(true) == type(false))cel", R"cel(true)cel");
  expect_eq(R"cel(type(64u))cel", R"cel(uint)cel");
  expect_eq(R"cel(uint)cel", R"cel(uint)cel");
  expect_eq(R"cel(type(3.14))cel", R"cel(double)cel");
  expect_eq(R"cel(double)cel", R"cel(double)cel");
  expect_eq(R"cel(type(null))cel", R"cel(null_type)cel");
  expect_eq(R"cel(null_type)cel", R"cel(null_type)cel");
  expect_eq(R"cel(type('foo'))cel", R"cel(string)cel");
  expect_eq(R"cel(string)cel", R"cel(string)cel");
  expect_eq(R"cel(type(b'\xff'))cel", R"cel(bytes)cel");
  expect_eq(R"cel(bytes)cel", R"cel(bytes)cel");
  expect_eq(R"cel(type([1, 2, 3]))cel", R"cel(list)cel");
  expect_eq(R"cel(list)cel", R"cel(list)cel");
  expect_eq(R"cel(type([1, 2, 3]) == type(['one', 'two', 'three']))cel", R"cel(true)cel");
  expect_eq(R"cel(type({4: 16}))cel", R"cel(map)cel");
  expect_eq(R"cel(map)cel", R"cel(map)cel");
  expect_eq(R"cel(type({'one': 1}) == type({1: 'one'}))cel", R"cel(true)cel");
  expect_eq(R"cel(type(7) == type(7u))cel", R"cel(false)cel");
  expect_eq(R"cel(type(0.0) != type(-0.0))cel", R"cel(false)cel");
  expect_eq(R"cel(type(0.0) != type(0))cel", R"cel(true)cel");
  expect_eq(R"cel(type(type(7)) == type(type(7u)))cel", R"cel(true)cel");
  expect_eq(R"cel(type(int))cel", R"cel(type)cel");
  expect_eq(R"cel(type)cel", R"cel(type)cel");
  expect_eq(R"cel(type(type))cel", R"cel(type)cel");
}

TEST(CelConformance, Optionals) {
  expect_eq(R"cel(optional.of(null).hasValue())cel", R"cel(true)cel");
  expect_eq(R"cel(optional.ofNonZeroValue(null).hasValue())cel", R"cel(false)cel");
  expect_eq(R"cel(optional.none().or(optional.none()).orValue(42))cel", R"cel(42)cel");
  expect_eq(R"cel({'null_key': dyn(null)}.?null_key.hasValue())cel", R"cel(true)cel");
  expect_error(R"cel({'null_key': dyn(null)}.?null_key.invalid.hasValue())cel", "no such key");
  expect_eq(R"cel({true: dyn(0)}[?false].absent.hasValue())cel", R"cel(false)cel");
  expect_error(R"cel({true: dyn(0)}[?true].absent.hasValue())cel", "no such key");
  expect_eq(R"cel({}.?null_key.invalid.hasValue())cel", R"cel(false)cel");
  expect_eq(R"cel(optional.ofNonZeroValue(42).or(optional.of(20)).value() == 42)cel", R"cel(true)cel");
  expect_eq(R"cel((has({}.x) ? optional.of({}.x) : optional.none()).hasValue())cel", R"cel(false)cel");
  expect_eq(R"cel({}.?x.hasValue())cel", R"cel(false)cel");
  expect_eq(R"cel(has({}.?x.y))cel", R"cel(false)cel");
  expect_eq(R"cel(has({'x': {'y': 'z'}}.?x.y))cel", R"cel(true)cel");
  expect_eq(
      R"cel(optional.ofNonZeroValue('').or(optional.of({'c': {'dashed-index': 'goodbye'}}.c['dashed-index'])).orValue('default value'))cel",
      R"cel("goodbye")cel");
  expect_eq(R"cel({'c': {'dashed-index': 'goodbye'}}.c[?'dashed-index'].orValue('default value'))cel",
            R"cel("goodbye")cel");
  expect_eq(R"cel({'c': {}}.c[?'missing-index'].orValue('default value'))cel", R"cel("default value")cel");
  expect_eq(R"cel(optional.of({'c': {'index': 'goodbye'}}).c.index.orValue('default value'))cel",
            R"cel("goodbye")cel");
  expect_eq(R"cel(optional.of({'c': {}}).c.missing.or(optional.none()[0]).orValue('default value'))cel",
            R"cel("default value")cel");
  expect_eq(
      R"cel(optional.of({'c': {}}).c.missing.or(optional.of(['list-value'])[0]).orValue('default value'))cel",
      R"cel("list-value")cel");
  expect_eq(R"cel(optional.of({'c': {'index': 'goodbye'}}).c['index'].orValue('default value'))cel",
            R"cel("goodbye")cel");
  expect_eq(R"cel(optional.of({'c': {}}).c['missing'].orValue('default value'))cel",
            R"cel("default value")cel");
  expect_eq(
      R"cel(has(optional.of({'c': {'entry': 'hello world'}}).c) && !has(optional.of({'c': {'entry': 'hello world'}}).c.missing))cel",
      R"cel(true)cel");
  expect_error(
      R"cel(optional.ofNonZeroValue({'c': {'dashed-index': 'goodbye'}}.a.z).orValue({'c': {'dashed-index': 'goodbye'}}.c['dashed-index']))cel",
      "no such key");
  expect_eq(
      R"cel({'c': {'dashed-index': 'goodbye'}}.?c.missing.or({'c': {'dashed-index': 'goodbye'}}.?c['dashed-index']).orValue('').size())cel",
      R"cel(7)cel");
  expect_eq(
      R"cel({?'nested_map': optional.ofNonZeroValue({?'map': {'c': {'dashed-index': 'goodbye'}}.?c})})cel",
      R"cel({"nested_map": {"map": {"dashed-index": "goodbye"}}})cel");
  expect_eq(R"cel({?'nested_map': optional.ofNonZeroValue({?'map': {}.?c}), 'singleton': true})cel",
            R"cel({"singleton": true})cel");
  expect_eq(R"cel([?{}.?c, ?optional.of(42), ?optional.none()])cel", R"cel([42])cel");
  expect_eq(R"cel([?optional.ofNonZeroValue({'c': []}.?c.orValue(dyn({})))])cel", R"cel([])cel");
  expect_eq(
      R"cel(optional.ofNonZeroValue({?'nested_map': optional.ofNonZeroValue({?'map': optional.of({}).?c})}).hasValue())cel",
      R"cel(false)cel");
  expect_eq(R"cel(optional.of({}).?c.hasValue())cel", R"cel(false)cel");
  expect_eq(R"cel(optional.none().?repeated_string.hasValue())cel", R"cel(false)cel");
  expect_eq(R"cel([][?0].hasValue())cel", R"cel(false)cel");
  expect_eq(R"cel(optional.of([])[?0].hasValue())cel", R"cel(false)cel");
  expect_eq(R"cel(optional.none()[?0].hasValue())cel", R"cel(false)cel");
  expect_eq(R"cel(['foo'][?0].value())cel", R"cel("foo")cel");
  expect_eq(R"cel(optional.of(['foo'])[?0].value())cel", R"cel("foo")cel");
  expect_eq(R"cel({true: 1, 2: 2, 5u: 3}[?true].value())cel", R"cel(1)cel");
  expect_eq(R"cel({1u: 1.0, 2: 2.0, 3u: 3.0}[?3.0].value())cel", R"cel(3.0)cel");
  expect_eq(R"cel({1u: 1.0, 2: 2.0, 3u: 3.0}[?2u].value())cel", R"cel(2.0)cel");
  expect_eq(R"cel({1u: 1.0, 2: 2.0, 3u: 3.0}[?1].value())cel", R"cel(1.0)cel");
  expect_eq(R"cel(optional.none() == optional.none())cel", R"cel(true)cel");
  expect_eq(R"cel(optional.none() == optional.of(1))cel", R"cel(false)cel");
  expect_eq(R"cel(optional.of(1) == optional.none())cel", R"cel(false)cel");
  expect_eq(R"cel(optional.of(1) == optional.of(1))cel", R"cel(true)cel");
  expect_eq(R"cel(optional.none() != optional.none())cel", R"cel(false)cel");
  expect_eq(R"cel(optional.none() != optional.of(1))cel", R"cel(true)cel");
  expect_eq(R"cel(optional.of(1) != optional.none())cel", R"cel(true)cel");
  expect_eq(R"cel(optional.of(1) != optional.of(1))cel", R"cel(false)cel");
  expect_eq(R"cel(has({'foo': optional.none()}.foo))cel", R"cel(true)cel");
  expect_eq(R"cel(has({'foo': optional.none()}.foo.bar))cel", R"cel(false)cel");
  expect_eq(R"cel(has({?'foo': optional.none()}.foo))cel", R"cel(false)cel");
}

// optMap, optFlatMap and the optional_type denotation.
TEST(CelConformance, OptionalsMapAndFlatMap) {
  expect_eq(R"cel(optional.none().optMap(y, y + 1).hasValue())cel", R"cel(false)cel");
  expect_eq(R"cel({}.?key.optFlatMap(k, k.?subkey).hasValue())cel", R"cel(false)cel");
  expect_eq(R"cel({'key': {}}.?key.optFlatMap(k, k.?subkey).hasValue())cel", R"cel(false)cel");
  expect_eq(R"cel({'key': {'subkey': 'subvalue'}}.?key.optFlatMap(k, k.?subkey).value())cel",
            R"cel("subvalue")cel");
  expect_eq(R"cel({'key': {'subkey': ''}}.?key.optFlatMap(k, k.?subkey).value())cel", R"cel("")cel");
  expect_eq(
      R"cel({'key': {'subkey': ''}}.?key.optFlatMap(k, optional.ofNonZeroValue(k.subkey)).hasValue())cel",
      R"cel(false)cel");
  expect_eq(R"cel(optional.of(42).optMap(y, y + 1).value())cel", R"cel(43)cel");
  expect_eq(R"cel(type(optional.none()) == optional_type)cel", R"cel(true)cel");
}

TEST(CelConformance, StringExtensions) {
  expect_eq(R"cel('tacocat'.charAt(3))cel", R"cel("o")cel");
  expect_eq(R"cel('tacocat'.charAt(7))cel", R"cel("")cel");
  expect_true(R"cel('©αT'.charAt(0) == '©' && '©αT'.charAt(1) == 'α' && '©αT'.charAt(2) == 'T')cel");
  expect_eq(R"cel('tacocat'.indexOf(''))cel", R"cel(0)cel");
  expect_eq(R"cel('tacocat'.indexOf('ac'))cel", R"cel(1)cel");
  expect_true(R"cel('tacocat'.indexOf('none') == -1)cel");
  expect_true(R"cel('tacocat'.indexOf('', 3) == 3)cel");
  expect_true(R"cel('tacocat'.indexOf('a', 3) == 5)cel");
  expect_true(R"cel('tacocat'.indexOf('at', 3) == 5)cel");
  expect_true(R"cel('ta©o©αT'.indexOf('©') == 2)cel");
  expect_true(R"cel('ta©o©αT'.indexOf('©', 3) == 4)cel");
  expect_true(R"cel('ta©o©αT'.indexOf('©αT', 3) == 4)cel");
  expect_true(R"cel('ta©o©αT'.indexOf('©α', 5) == -1)cel");
  expect_true(R"cel('ijk'.indexOf('k') == 2)cel");
  expect_true(R"cel('hello wello'.indexOf('hello wello') == 0)cel");
  expect_true(R"cel('hello wello'.indexOf('ello', 6) == 7)cel");
  expect_true(R"cel('hello wello'.indexOf('elbo room!!') == -1)cel");
  expect_true(R"cel(''.lastIndexOf('@@') == -1)cel");
  expect_true(R"cel('tacocat'.lastIndexOf('') == 7)cel");
  expect_true(R"cel('tacocat'.lastIndexOf('at') == 5)cel");
  expect_true(R"cel('tacocat'.lastIndexOf('none') == -1)cel");
  expect_true(R"cel('tacocat'.lastIndexOf('', 3) == 3)cel");
  expect_true(R"cel('tacocat'.lastIndexOf('a', 3) == 1)cel");
  expect_true(R"cel('ta©o©αT'.lastIndexOf('©') == 4)cel");
  expect_true(R"cel('ta©o©αT'.lastIndexOf('©', 3) == 2)cel");
  expect_true(R"cel('ta©o©αT'.lastIndexOf('©α', 4) == 4)cel");
  expect_true(R"cel('hello wello'.lastIndexOf('ello', 6) == 1)cel");
  expect_true(R"cel('hello wello'.lastIndexOf('low') == -1)cel");
  expect_true(R"cel('hello wello'.lastIndexOf('elbo room!!') == -1)cel");
  expect_true(R"cel('hello wello'.lastIndexOf('hello wello') == 0)cel");
  expect_true(R"cel('bananananana'.lastIndexOf('nana', 7) == 6)cel");
  expect_true(R"cel('TacoCat'.lowerAscii() == 'tacocat')cel");
  expect_true(R"cel('TacoCÆt'.lowerAscii() == 'tacocÆt')cel");
  expect_true(R"cel('TacoCÆt Xii'.lowerAscii() == 'tacocÆt xii')cel");
  expect_true(R"cel('tacoCat'.upperAscii() == 'TACOCAT')cel");
  expect_true(R"cel('tacoCαt'.upperAscii() == 'TACOCαT')cel");
  expect_true(R"cel('TacoCÆt Xii'.upperAscii() == 'TACOCÆT XII')cel");
  expect_true(R"cel('12 days 12 hours'.replace('{0}', '2') == '12 days 12 hours')cel");
  expect_true(R"cel('{0} days {0} hours'.replace('{0}', '2') == '2 days 2 hours')cel");
  expect_true(
      R"cel('{0} days {0} hours'.replace('{0}', '2', 1).replace('{0}', '23') == '2 days 23 hours')cel");
  expect_true(R"cel('1 ©αT taco'.replace('αT', 'o©α') == '1 ©o©α taco')cel");
  expect_true(R"cel('hello world'.split(' ') == ['hello', 'world'])cel");
  expect_true(R"cel('hello world events!'.split(' ', 0) == [])cel");
  expect_true(R"cel('hello world events!'.split(' ', 1) == ['hello world events!'])cel");
  expect_true(R"cel('o©o©o©o'.split('©', -1) == ['o', 'o', 'o', 'o'])cel");
  expect_true(R"cel('tacocat'.substring(4) == 'cat')cel");
  expect_true(R"cel('tacocat'.substring(7) == '')cel");
  expect_true(R"cel('tacocat'.substring(0, 4) == 'taco')cel");
  expect_true(R"cel('tacocat'.substring(4, 4) == '')cel");
  expect_true(R"cel('ta©o©αT'.substring(2, 6) == '©o©α')cel");
  expect_true(R"cel('ta©o©αT'.substring(7, 7) == '')cel");
  expect_true(R"cel(' \f\n\r\t\vtext  '.trim() == 'text')cel");
  expect_true(R"cel('\u0085\u00a0\u1680text'.trim() == 'text')cel");
  expect_true(R"cel('text\u2000\u2001\u2002\u2003\u2004\u2004\u2006\u2007\u2008\u2009'.trim() == 'text')cel");
  expect_true(R"cel('\u200atext\u2028\u2029\u202F\u205F\u3000'.trim() == 'text')cel");
  expect_true(
      R"cel('\u180etext\u200b\u200c\u200d\u2060\ufeff'.trim() == '\u180etext\u200b\u200c\u200d\u2060\ufeff')cel");
  expect_true(R"cel(['x', 'y'].join() == 'xy')cel");
  expect_true(R"cel(['x', 'y'].join('-') == 'x-y')cel");
  expect_true(R"cel([].join() == '')cel");
  expect_true(R"cel([].join('-') == '')cel");
  expect_true(R"cel(strings.quote("first\nsecond") == "\"first\\nsecond\"")cel");
  expect_true(R"cel(strings.quote("bell\a") == "\"bell\\a\"")cel");
  expect_true(R"cel(strings.quote("\bbackspace") == "\"\\bbackspace\"")cel");
  expect_true(R"cel(strings.quote("\fform feed") == "\"\\fform feed\"")cel");
  expect_true(R"cel(strings.quote("carriage \r return") == "\"carriage \\r return\"")cel");
  expect_true(R"cel(strings.quote("horizontal tab\t") == "\"horizontal tab\\t\"")cel");
  expect_true(R"cel(strings.quote("vertical \v tab") == "\"vertical \\v tab\"")cel");
  expect_true(R"cel(strings.quote("double \\\\ slash") == "\"double \\\\\\\\ slash\"")cel");
  expect_true(
      R"cel(strings.quote("two escape sequences \\a\\n") == "\"two escape sequences \\\\a\\\\n\"")cel");
  expect_true(R"cel(strings.quote("verbatim") == "\"verbatim\"")cel");
  expect_true(R"cel(strings.quote("ends with \\") == "\"ends with \\\\\"")cel");
  expect_true(R"cel(strings.quote("\\ starts with") == "\"\\\\ starts with\"")cel");
  expect_true(R"cel(strings.quote("printable unicode😀") == "\"printable unicode😀\"")cel");
  expect_true(R"cel(strings.quote("mid string \" quote") == "\"mid string \\\" quote\"")cel");
  expect_true(
      R"cel(strings.quote('single-quote with "double quote"') == "\"single-quote with \\\"double quote\\\"\"")cel");
  expect_true(R"cel(strings.quote("size('ÿ')") == "\"size('ÿ')\"")cel");
  expect_true(R"cel(strings.quote("size('πέντε')") == "\"size('πέντε')\"")cel");
  expect_true(R"cel(strings.quote("завтра") == "\"завтра\"")cel");
  expect_eq(R"cel(strings.quote("\U0001F431\U0001F600\U0001F61B"))cel", R"cel("\"🐱😀😛\"")cel");
  expect_true(R"cel(strings.quote("ta©o©αT") == "\"ta©o©αT\"")cel");
  expect_eq(R"cel(strings.quote(""))cel", R"cel("\"\"")cel");
  expect_true(R"cel(''.reverse() == '')cel");
  expect_true(R"cel('☺'.reverse() == '☺')cel");
  expect_true(R"cel('Ta©oCαt'.reverse() == 'tαCo©aT')cel");
}

TEST(CelConformance, StringExtensionErrors) {
  expect_error(R"cel('tacocat'.charAt(30) == '')cel", "index out of range: 30");
  expect_error(R"cel('tacocat'.indexOf('a', 30) == -1)cel", "index out of range: 30");
  expect_error(R"cel('tacocat'.lastIndexOf('a', -1) == -1)cel", "index out of range: -1");
  expect_error(R"cel('tacocat'.lastIndexOf('a', 30) == -1)cel", "index out of range: 30");
  expect_error(R"cel('tacocat'.substring(40) == 'cat')cel", "index out of range: 40");
  expect_error(R"cel('tacocat'.substring(-1) == 'cat')cel", "index out of range: -1");
  expect_error(R"cel('tacocat'.substring(1, 50) == 'cat')cel", "index out of range: 50");
  expect_error(R"cel('tacocat'.substring(49, 50) == 'cat')cel", "index out of range: 49");
  expect_error(R"cel('tacocat'.substring(4, 3) == '')cel", "invalid substring range. start: 4, end: 3");
}

// Timestamps and durations: not required for CRD rules yet. Enable once supported.
TEST(CelConformance, DISABLED_TimestampsAndDurations) {
  expect_eq(R"cel(int(timestamp('2009-02-13T23:31:30Z')))cel", R"cel(1234567890)cel");
  expect_eq(R"cel(string(timestamp('2009-02-13T23:31:30Z')))cel", R"cel("2009-02-13T23:31:30Z")cel");
  expect_eq(R"cel(string(timestamp('9999-12-31T23:59:59.999999999Z')))cel",
            R"cel("9999-12-31T23:59:59.999999999Z")cel");
  expect_eq(R"cel(type(timestamp('2009-02-13T23:31:30Z')))cel", R"cel(google.protobuf.Timestamp)cel");
  expect_eq(R"cel(string(duration('1000000s')))cel", R"cel("1000000s")cel");
  expect_eq(R"cel(type(duration('1000000s')))cel", R"cel(google.protobuf.Duration)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:31:30Z').getDate())cel", R"cel(13)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:31:30Z').getDayOfMonth())cel", R"cel(12)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:31:30Z').getDayOfWeek())cel", R"cel(5)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:31:30Z').getDayOfYear())cel", R"cel(43)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:31:30Z').getFullYear())cel", R"cel(2009)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:31:30Z').getHours())cel", R"cel(23)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:31:20.123456789Z').getMilliseconds())cel", R"cel(123)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:31:30Z').getMinutes())cel", R"cel(31)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:31:30Z').getMonth())cel", R"cel(1)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:31:30Z').getSeconds())cel", R"cel(30)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:31:30Z') == timestamp('2009-02-13T23:31:30Z'))cel",
            R"cel(true)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:31:29Z') == timestamp('2009-02-13T23:31:30Z'))cel",
            R"cel(false)cel");
  expect_eq(R"cel(timestamp('1945-05-07T02:41:00Z') != timestamp('1945-05-07T02:41:00Z'))cel",
            R"cel(false)cel");
  expect_eq(R"cel(timestamp('2000-01-01T00:00:00Z') != timestamp('2001-01-01T00:00:00Z'))cel",
            R"cel(true)cel");
  expect_eq(R"cel(duration('123s') == duration('123s'))cel", R"cel(true)cel");
  expect_eq(R"cel(duration('60s') == duration('3600s'))cel", R"cel(false)cel");
  expect_eq(R"cel(duration('604800s') != duration('604800s'))cel", R"cel(false)cel");
  expect_eq(R"cel(duration('86400s') != duration('86164s'))cel", R"cel(true)cel");
  expect_eq(
      R"cel(timestamp('2009-02-13T23:00:00Z') + duration('240s') == timestamp('2009-02-13T23:04:00Z'))cel",
      R"cel(true)cel");
  expect_eq(
      R"cel(duration('120s') + timestamp('2009-02-13T23:01:00Z') == timestamp('2009-02-13T23:03:00Z'))cel",
      R"cel(true)cel");
  expect_eq(R"cel(duration('600s') + duration('50s') == duration('650s'))cel", R"cel(true)cel");
  expect_eq(
      R"cel(timestamp('0001-01-01T00:00:01.000000001Z') + duration('-999999999ns') == timestamp('0001-01-01T00:00:00.000000002Z'))cel",
      R"cel(true)cel");
  expect_eq(
      R"cel(timestamp('0001-01-01T00:00:01.999999999Z') + duration('999999999ns') == timestamp('0001-01-01T00:00:02.999999998Z'))cel",
      R"cel(true)cel");
  expect_eq(
      R"cel(timestamp('2009-02-13T23:10:00Z') - duration('600s') == timestamp('2009-02-13T23:00:00Z'))cel",
      R"cel(true)cel");
  expect_eq(
      R"cel(timestamp('2009-02-13T23:31:00Z') - timestamp('2009-02-13T23:29:00Z') == duration('120s'))cel",
      R"cel(true)cel");
  expect_eq(R"cel(duration('900s') - duration('42s') == duration('858s'))cel", R"cel(true)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:00:00Z') <= timestamp('2009-02-13T23:00:00Z'))cel",
            R"cel(true)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:00:00Z') <= timestamp('2009-02-13T22:59:59Z'))cel",
            R"cel(false)cel");
  expect_eq(R"cel(duration('200s') <= duration('200s'))cel", R"cel(true)cel");
  expect_eq(R"cel(duration('300s') <= duration('200s'))cel", R"cel(false)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:00:00Z') < timestamp('2009-03-13T23:00:00Z'))cel",
            R"cel(true)cel");
  expect_eq(R"cel(duration('200s') < duration('300s'))cel", R"cel(true)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:00:00Z') >= timestamp('2009-02-13T23:00:00Z'))cel",
            R"cel(true)cel");
  expect_eq(R"cel(timestamp('2009-02-13T22:58:00Z') >= timestamp('2009-02-13T23:00:00Z'))cel",
            R"cel(false)cel");
  expect_eq(R"cel(duration('200s') >= duration('200s'))cel", R"cel(true)cel");
  expect_eq(R"cel(duration('120s') >= duration('200s'))cel", R"cel(false)cel");
  expect_eq(R"cel(timestamp('2009-02-13T23:59:00Z') > timestamp('2009-02-13T23:00:00Z'))cel",
            R"cel(true)cel");
  expect_eq(R"cel(duration('300s') > duration('200s'))cel", R"cel(true)cel");
  expect_eq(R"cel(duration('10000s').getHours())cel", R"cel(2)cel");
  expect_eq(R"cel(duration('3730s').getMinutes())cel", R"cel(62)cel");
  expect_eq(R"cel(duration('3730s').getSeconds())cel", R"cel(3730)cel");
}

}  // namespace
}  // namespace ukube::cel
