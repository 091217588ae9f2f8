// SPDX-License-Identifier: Apache-2.0
// SPDX-FileCopyrightText: 2024 Acme
package main

func main() {}
