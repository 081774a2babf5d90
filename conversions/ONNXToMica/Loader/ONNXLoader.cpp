//===- ONNXLoader.cpp - libonnx calls, exceptions caught -------------------===//
//
// Part of the Mica project: an MLIR-based deep-learning compiler.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// Compiled with -fexceptions: libonnx reports errors by throwing
/// (ValidationError, InferenceError, ...). Every entry point catches and
/// returns the message so that the rest of Mica (built without exceptions)
/// never sees an exception.
///
//===----------------------------------------------------------------------===//

#include "../ONNXLoader.h"

#include "onnx/checker.h"
#include "onnx/defs/parser.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

using namespace mica;

/// Runs `fn`, turning any exception into its message.
template <typename Fn>
static std::string guarded(Fn &&fn) {
  try {
    return fn();
  } catch (const std::exception &e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

/// Parses from a stream with protobuf's default limits lifted to 2 GiB.
static bool parseFrom(google::protobuf::io::ZeroCopyInputStream &stream,
                      onnx::ModelProto &model) {
  google::protobuf::io::CodedInputStream coded(&stream);
  coded.SetTotalBytesLimit(INT_MAX);
  return model.ParseFromCodedStream(&coded) && coded.ConsumedEntireMessage();
}

std::string onnx_loader::parseBinaryFile(const std::string &path,
                                         onnx::ModelProto &model) {
  return guarded([&]() -> std::string {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return "cannot open '" + path + "': " + std::strerror(errno);
    bool ok;
    {
      google::protobuf::io::FileInputStream stream(fd, 1 << 20);
      ok = parseFrom(stream, model);
    }
    ::close(fd);
    if (!ok)
      return "'" + path + "' is not a valid ONNX model (protobuf parse "
             "error: truncated or corrupt file)";
    return "";
  });
}

std::string onnx_loader::parseBinary(const char *data, size_t size,
                                     onnx::ModelProto &model) {
  return guarded([&]() -> std::string {
    if (size > static_cast<size_t>(INT_MAX))
      return "model larger than 2 GiB; store the weights as external data";
    google::protobuf::io::ArrayInputStream stream(data,
                                                  static_cast<int>(size));
    if (!parseFrom(stream, model))
      return "not a valid ONNX model (protobuf parse error: truncated or "
             "corrupt data)";
    return "";
  });
}

std::string onnx_loader::parseText(const char *text, onnx::ModelProto &model) {
  return guarded([&]() -> std::string {
    onnx::OnnxParser parser(text);
    auto status = parser.Parse(model);
    if (!status.IsOK())
      return "ONNX text parse error: " + status.ErrorMessage();
    if (!parser.EndOfInput())
      return "ONNX text parse error: unexpected text after the model";
    return "";
  });
}

std::string onnx_loader::checkModel(const onnx::ModelProto &model) {
  return guarded([&]() -> std::string {
    onnx::checker::check_model(model);
    return "";
  });
}

std::string onnx_loader::inferShapes(onnx::ModelProto &model) {
  return guarded([&]() -> std::string {
    onnx::ShapeInferenceOptions options(/*check_type=*/true,
                                        /*strict_mode=*/1,
                                        /*data_prop=*/true);
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), options);
    return "";
  });
}
