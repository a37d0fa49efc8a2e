// Package safetensors reads and writes the safetensors container: the file
// format that flowkern uses for saved models, chosen because a PyTorch user can
// read it without executing code and without any flowkern software.
//
// # Format
//
// A file is three parts, back to back:
//
//	8 bytes   N, the header length, unsigned little-endian
//	N bytes   the header: a UTF-8 JSON object, starting with '{', padded at the
//	          end with spaces (Encode pads 8+N to a multiple of 8)
//	the rest  the data section: the tensors' bytes, little-endian, row-major
//
// The header maps each tensor name to {"dtype", "shape", "data_offsets"};
// data_offsets is [begin, end), in bytes from the start of the data section.
// The optional key "__metadata__" maps to an object of string values only.
// For example:
//
//	{"__metadata__":{"format":"flowkern.flow","sha256":"5d41…"},
//	 "layers.0.weight":{"data_offsets":[0,24],"dtype":"F32","shape":[2,3]}}
//
// # Metadata
//
// Encode adds one key of its own, "sha256": the lowercase hex SHA-256 of the
// data section (which makes the sum independent of the header, and so of the
// metadata). Every other key is the caller's; the model packages put there what
// the file describes (for a flow: "format", "version", "arch"). A caller may not
// supply "sha256" itself. Decode verifies the sum when the key is present,
// removes it from [File.Metadata] (so the map can be handed back to Encode) and
// keeps it in [File.Checksum]; [Options.RequireChecksum] makes a file without
// one an error.
//
// # Checks
//
// Decode treats the file as hostile. Every number read from the file is checked
// against the file's real size before it is used (for a slice bound, a
// conversion to int, or an allocation), and any failure is an error naming the
// tensor or field, never a panic:
//
//   - the file holds the 8-byte length; N fits in the file and in
//     [Options.MaxHeader];
//   - the header is valid UTF-8, starts with '{', is one well-formed JSON
//     object followed only by whitespace;
//   - no key appears twice, at any level (encoding/json would silently keep the
//     last one; the header is walked token by token instead);
//   - "__metadata__" is an object of strings;
//   - each tensor entry is an object with exactly "dtype", "shape" and
//     "data_offsets"; the dtype is one of the [DType] constants; dimensions are
//     non-negative integers that fit in an int; the element count does not
//     overflow (checked multiplication); data_offsets is two integers with
//     begin <= end <= the data section's length; end-begin equals the element
//     count times the dtype's size;
//   - the tensors tile the data section exactly: sorted by offset, each begins
//     where the previous one ends, the first at 0, the last at the end (no
//     holes, no overlaps, no trailing bytes);
//   - "sha256", when present, is 64 hex digits equal to the data section's sum.
//
// # Reading our files in Python
//
// Only json and numpy are needed; this is the reader the tests run when numpy
// is installed:
//
//	import json, numpy as np
//	buf = open("model.safetensors", "rb").read()
//	n = int.from_bytes(buf[:8], "little"); header = json.loads(buf[8:8 + n])
//	meta = header.pop("__metadata__", {})
//	dt = {"F32": "<f4", "F64": "<f8", "I64": "<i8", "I32": "<i4", "U8": "u1"}
//	t = {k: np.frombuffer(buf[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]], dt[v["dtype"]]).reshape(v["shape"]) for k, v in header.items()}
//
// The files follow the format, so safetensors.torch.load_file should read them
// as well; the tests here do not run it.
//
// # Map
//
// [Tensor], [DType] and the constructors [F32], [F64], [I64] build tensors;
// [Encode] and [WriteFile] write them; [Decode] and [ReadFile] read a [File],
// whose tensors convert back with [Tensor.Float32s], [Tensor.Float64s] and
// [Tensor.Int64s].
package safetensors
