// A minimal, fast HTTP/1.1 server for the engine benchmark (npm run perf -- engine): every tool under
// test hits the same one. "/v1/api/item-types" answers the coffee shop's catalogue (so the coffee
// scenario's browse task and its checks run against it); anything else answers "ok". -delay makes
// every response wait, for the latency-excess figure.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

const itemTypes = `{"itemTypes":[` +
	`{"name":"CAPPUCCINO","type":0,"price":4.5,"image":"img/CAPPUCCINO.png"},` +
	`{"name":"COFFEE_BLACK","type":1,"price":3,"image":"img/COFFEE_BLACK.png"},` +
	`{"name":"COFFEE_WITH_ROOM","type":2,"price":3,"image":"img/COFFEE_WITH_ROOM.png"},` +
	`{"name":"ESPRESSO","type":3,"price":3.5,"image":"img/ESPRESSO.png"},` +
	`{"name":"ESPRESSO_DOUBLE","type":4,"price":4.5,"image":"img/ESPRESSO_DOUBLE.png"},` +
	`{"name":"LATTE","type":5,"price":4.5,"image":"img/LATTE.png"},` +
	`{"name":"CAKEPOP","type":6,"price":2.5,"image":"img/CAKEPOP.png"},` +
	`{"name":"CROISSANT","type":7,"price":3.25,"image":"img/CROISSANT.png"},` +
	`{"name":"MUFFIN","type":8,"price":3,"image":"img/MUFFIN.png"},` +
	`{"name":"CROISSANT_CHOCOLATE","type":9,"price":3.5,"image":"img/CROISSANT_CHOCOLATE.png"}]}`

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	delay := flag.Duration("delay", 0, "wait before every response")
	flag.Parse()
	ok := []byte("ok\n")
	catalogue := []byte(itemTypes)
	var served atomic.Int64
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The benchmark polls the count of requests served (itself not counted) to find the steady window.
		if r.URL.Path == "/__stats" {
			fmt.Fprintf(w, "%d\n", served.Load())
			return
		}
		served.Add(1)
		if *delay > 0 {
			time.Sleep(*delay)
		}
		body := ok
		w.Header().Set("Content-Type", "text/plain")
		if r.URL.Path == "/v1/api/item-types" {
			body = catalogue
			w.Header().Set("Content-Type", "application/json")
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The first line on stdout is the address, for the benchmark to read.
	fmt.Println(listener.Addr().String())
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	if err := server.Serve(listener); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
