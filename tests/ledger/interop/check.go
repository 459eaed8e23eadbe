// Command check verifies pmo-ledger's checkpoint and proofs with Go's sumdb
// packages: the note signature with golang.org/x/mod/sumdb/note, the tree,
// inclusion and consistency proofs with golang.org/x/mod/sumdb/tlog.
//
// Usage: check INPUT.json (see tests/ledger/test_go_interop.py for the fields).
// Exit status 0 when everything verifies, 1 with the first failure otherwise.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type inclusion struct {
	Index    int64    `json:"index"`
	LeafData string   `json:"leaf_data"`
	Path     []string `json:"path"`
}

type consistency struct {
	Size int64    `json:"size"`
	Root string   `json:"root"`
	Path []string `json:"path"`
}

type input struct {
	VerifierKey string        `json:"verifier_key"`
	Checkpoint  string        `json:"checkpoint"`
	Leaves      []string      `json:"leaves"`
	Inclusions  []inclusion   `json:"inclusions"`
	Consistency []consistency `json:"consistency"`
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

func hash(text string) tlog.Hash {
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(raw) != tlog.HashSize {
		fail("not a base64 hash: %q", text)
	}
	var h tlog.Hash
	copy(h[:], raw)
	return h
}

func hashes(texts []string) []tlog.Hash {
	out := make([]tlog.Hash, len(texts))
	for i, text := range texts {
		out[i] = hash(text)
	}
	return out
}

func bytesOf(text string) []byte {
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		fail("not base64: %v", err)
	}
	return raw
}

func main() {
	if len(os.Args) != 2 {
		fail("usage: check INPUT.json")
	}
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	var in input
	if err := json.Unmarshal(data, &in); err != nil {
		fail("%v", err)
	}

	verifier, err := note.NewVerifier(in.VerifierKey)
	if err != nil {
		fail("verifier key: %v", err)
	}
	opened, err := note.Open([]byte(in.Checkpoint), note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint signature: %v", err)
	}
	lines := strings.Split(opened.Text, "\n")
	if len(lines) < 4 || lines[0] != verifier.Name() {
		fail("checkpoint text: %q", opened.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("checkpoint size: %v", err)
	}
	root := hash(lines[2])

	// Rebuild the whole tree from the leaf data, as tlog stores it.
	if int64(len(in.Leaves)) != size {
		fail("%d leaves for a tree of %d", len(in.Leaves), size)
	}
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, index := range indexes {
			out[i] = stored[index]
		}
		return out, nil
	})
	for n, leaf := range in.Leaves {
		added, err := tlog.StoredHashes(int64(n), bytesOf(leaf), reader)
		if err != nil {
			fail("stored hashes: %v", err)
		}
		stored = append(stored, added...)
	}
	computed, err := tlog.TreeHash(size, reader)
	if err != nil {
		fail("tree hash: %v", err)
	}
	if computed != root {
		fail("tlog's root of the %d leaves differs from the checkpoint's", size)
	}

	for _, p := range in.Inclusions {
		leaf := tlog.RecordHash(bytesOf(p.LeafData))
		if err := tlog.CheckRecord(hashes(p.Path), size, root, p.Index, leaf); err != nil {
			fail("inclusion of leaf %d: %v", p.Index, err)
		}
	}
	for _, c := range in.Consistency {
		if err := tlog.CheckTree(hashes(c.Path), size, root, c.Size, hash(c.Root)); err != nil {
			fail("consistency from size %d: %v", c.Size, err)
		}
	}
	fmt.Printf("ok: %s size %d, %d inclusion and %d consistency proofs\n",
		lines[0], size, len(in.Inclusions), len(in.Consistency))
}
