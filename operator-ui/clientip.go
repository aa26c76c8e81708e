package operatorui

import (
	"net/http"
	"net/netip"
	"strings"
)

// clientIP is the address a request comes from, for login throttling and the audit log. Behind the bank's load
// balancer every request's peer is the balancer, so a request from a trusted proxy (DOZVON_TRUSTED_PROXIES) is
// traced back through X-Forwarded-For: the right-most address that is not itself a trusted proxy is the client.
// Addresses further left were written by whoever sent the request and are never believed.
func (ui *UI) clientIP(r *http.Request) netip.Addr {
	return clientAddr(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), ui.TrustedProxies)
}

func clientAddr(remoteAddr string, forwardedFor []string, trusted []netip.Prefix) netip.Addr {
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	addr := ap.Addr().Unmap()
	var hops []string
	for _, h := range forwardedFor {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0 && isTrusted(addr, trusted); i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a proxy we trust passed on garbage: the proxy is the last address known
		}
		addr = hop.Unmap()
	}
	return addr
}

func isTrusted(addr netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
