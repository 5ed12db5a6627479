//go:build tools

// Package tools pins the Node.js language host main package so `go mod tidy` keeps its dependencies.
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
