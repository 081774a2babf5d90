//===- TensorIO.cpp - .npy files and random tensors -----------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// numpy `.npy` reading and writing, extension-based tensor file reading and
/// seeded random tensors. The `.npy` header is a Python dict literal; only
/// the three keys numpy writes are read.
///
//===----------------------------------------------------------------------===//

#include "mica/Reference/TensorIO.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;
using namespace mica::reference;

static Error npyError(const Twine &message) {
  return createStringError("invalid .npy data: " + message);
}

/// The numpy dtype code of an element type ("f4", ...); bf16 has none.
static StringRef npyCode(ElementType type) {
  switch (type) {
  case ElementType::F32:
  case ElementType::BF16:
    return "f4";
  case ElementType::F16:
    return "f2";
  case ElementType::I1:
    return "b1";
  case ElementType::I8:
    return "i1";
  case ElementType::I32:
    return "i4";
  case ElementType::I64:
    return "i8";
  }
  llvm_unreachable("unknown element type");
}

/// Returns the text after `'key':` in the header dict, with leading blanks
/// removed, or std::nullopt.
static std::optional<StringRef> headerValue(StringRef header, StringRef key) {
  size_t pos = header.find(("'" + key + "'").str());
  if (pos == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(pos + key.size() + 2).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  return rest.ltrim();
}

Expected<HostTensor> mica::reference::parseNpy(StringRef buffer) {
  if (!buffer.consume_front("\x93NUMPY") || buffer.size() < 2)
    return npyError("missing the \\x93NUMPY magic");
  uint8_t major = buffer[0];
  buffer = buffer.drop_front(2);
  size_t headerLen;
  if (major == 1) {
    if (buffer.size() < 2)
      return npyError("truncated header");
    headerLen = uint8_t(buffer[0]) | (uint8_t(buffer[1]) << 8);
    buffer = buffer.drop_front(2);
  } else if (major == 2 || major == 3) {
    if (buffer.size() < 4)
      return npyError("truncated header");
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = (headerLen << 8) | uint8_t(buffer[i]);
    buffer = buffer.drop_front(4);
  } else {
    return npyError("unsupported format version " + Twine(int(major)));
  }
  if (buffer.size() < headerLen)
    return npyError("truncated header");
  StringRef header = buffer.take_front(headerLen);
  StringRef data = buffer.drop_front(headerLen);

  // 'descr': '<f4'
  std::optional<StringRef> descr = headerValue(header, "descr");
  if (!descr || descr->size() < 2 || (*descr)[0] != '\'')
    return npyError("header has no 'descr'");
  StringRef dtype = descr->drop_front().split('\'').first;
  if (!dtype.empty() && (dtype[0] == '<' || dtype[0] == '|' || dtype[0] == '='))
    dtype = dtype.drop_front();
  else if (!dtype.empty() && dtype[0] == '>')
    return npyError("big-endian dtype '" + dtype + "' is not supported");
  std::optional<ElementType> type;
  for (ElementType t : {ElementType::F32, ElementType::F16, ElementType::I1,
                        ElementType::I8, ElementType::I32, ElementType::I64})
    if (dtype == npyCode(t) || (t == ElementType::I1 && dtype == "?"))
      type = t;
  if (!type)
    return npyError("unsupported dtype '" + dtype +
                    "' (expected f4, f2, b1, i1, i4 or i8)");

  // 'fortran_order': False
  std::optional<StringRef> fortran = headerValue(header, "fortran_order");
  if (!fortran || !fortran->starts_with("False"))
    return npyError("only fortran_order False is supported");

  // 'shape': (2, 3)
  std::optional<StringRef> shapeText = headerValue(header, "shape");
  if (!shapeText || !shapeText->consume_front("("))
    return npyError("header has no 'shape' tuple");
  SmallVector<int64_t> shape;
  StringRef dims = shapeText->split(')').first;
  while (!(dims = dims.trim()).empty()) {
    auto [head, tail] = dims.split(',');
    int64_t d;
    if (head.trim().getAsInteger(10, d) || d < 0)
      return npyError("bad shape entry '" + head.trim() + "'");
    shape.push_back(d);
    dims = tail;
  }

  HostTensor t(*type, shape);
  if (data.size() != t.getBytes().size())
    return npyError(formatv("expected {0} data bytes for {1}, found {2}",
                            t.getBytes().size(), t.getTypeString(),
                            data.size())
                        .str());
  std::memcpy(t.getMutableBytes().data(), data.data(), data.size());
  if (*type == ElementType::I1)
    for (int64_t i = 0, e = t.getNumElements(); i < e; ++i)
      t.setInt(i, t.getMutableBytes()[i] != 0);
  return t;
}

Expected<HostTensor> mica::reference::readNpyFile(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> file = MemoryBuffer::getFile(path);
  if (!file)
    return createStringError(file.getError(),
                             "cannot read '" + path + "': " +
                                 file.getError().message());
  Expected<HostTensor> t = parseNpy((*file)->getBuffer());
  if (!t)
    return createStringError(path + ": " + toString(t.takeError()));
  return t;
}

std::string mica::reference::serializeNpy(const HostTensor &t) {
  HostTensor data = t;
  if (t.getElementType() == ElementType::BF16)
    data = HostTensor::fromDoubles(ElementType::F32, t.getShape(),
                                   t.toDoubles());
  // Python tuple syntax: "()", "(5,)", "(2, 3)".
  std::string shape;
  for (int64_t d : t.getShape())
    shape += (shape.empty() ? "" : ", ") + std::to_string(d);
  if (t.getRank() == 1)
    shape += ",";
  std::string header = formatv("{{'descr': '{0}{1}', 'fortran_order': False, "
                               "'shape': ({2}), }",
                               t.getElementType() == ElementType::I1 ? "|" : "<",
                               npyCode(t.getElementType()), shape)
                           .str();
  // Pad with spaces so that the data starts at a multiple of 64 bytes.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = "\x93NUMPY";
  out += char(1);
  out += char(0);
  out += char(header.size() & 0xff);
  out += char(header.size() >> 8);
  out += header;
  out.append(reinterpret_cast<const char *>(data.getBytes().data()),
             data.getBytes().size());
  return out;
}

/// Writes `contents` to `path`.
static Error writeFile(StringRef path, StringRef contents) {
  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return createStringError(ec, "cannot write '" + path + "': " +
                                     ec.message());
  os << contents;
  return Error::success();
}

Error mica::reference::writeNpyFile(StringRef path, const HostTensor &t) {
  return writeFile(path, serializeNpy(t));
}

Expected<NamedTensor> mica::reference::readTensorFile(StringRef path) {
  StringRef ext = sys::path::extension(path);
  if (ext == ".npy") {
    Expected<HostTensor> t = readNpyFile(path);
    if (!t)
      return t.takeError();
    return NamedTensor{"", std::move(*t)};
  }
  if (ext == ".pb")
    return readTensorProtoFile(path);
  return createStringError("'" + path +
                           "': unknown tensor file extension (expected .npy "
                           "or .pb)");
}

HostTensor mica::reference::makeRandomTensor(ElementType type,
                                             ArrayRef<int64_t> shape,
                                             uint64_t seed) {
  // SplitMix64: a fixed, portable sequence for every seed.
  uint64_t state = seed;
  auto next = [&]() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  HostTensor t(type, shape);
  for (int64_t i = 0, e = t.getNumElements(); i < e; ++i) {
    uint64_t bits = next();
    if (isFloatType(type))
      t.setDouble(i, double(bits >> 11) * 0x1.0p-52 - 1.0);
    else if (type == ElementType::I1)
      t.setInt(i, bits >> 63);
    else
      t.setInt(i, int64_t(bits >> 62));
  }
  return t;
}
