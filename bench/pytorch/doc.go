// Package pytorch holds the PyTorch peer of models/flow: flowkern_torch.py
// (the same architecture in PyTorch, reading and writing our model file),
// the agreement test (torch_test.go, build tag torch) and compare.sh (the
// side-by-side timing with bench/flowpeer). See README.md; nothing here is
// needed by go test ./...:
//
//	go test -tags torch -v ./bench/pytorch/
package pytorch
