/// The tracker served at `/js/script.js`: no cookies, no storage identifiers; page views including
/// single-page-app navigation, optional hash routing, custom events with props and revenue, and an
/// engagement report (`engagement`: `e` ms visible since the last report, `sd` deepest scroll in %)
/// each time a page is hidden or left, as Plausible's script sends; opt-out via
/// `localStorage.infinity_ignore = "true"`; localhost and automated browsers are ignored unless the
/// script tag says `data-allow-local`, and each ignored event says why in the browser console
/// (`Ignoring event: localhost`). When the browser says the visitor asked not to be tracked
/// (`navigator.globalPrivacyControl`, `doNotTrack`), events carry `g: 1`, and sites that honour it
/// drop them. Sends with `fetch(..., {keepalive: true})`. At most 1,024 bytes gzipped (a test
/// checks it), which is why it is written this tersely.
enum TrackerScript {
    static let source = #"""
        !function(){var d=document,w=window,l=location,N=navigator,s=d.currentScript,A=n=>s.getAttribute("data-"+n),B=n=>A(n)!=null,e=A("api")||new URL(s.src).origin+"/api/event",h=B("hash"),p,x=0,E=0,S=0,R=0,D=Date.now,L=(n,c)=>w.addEventListener(n,c);function t(n,o={}){var r=B("allow-local")?"":/^(localhost|\[::1\])?$|^127\./.test(l.hostname)?"localhost":N.webdriver?"automation":"",b;try{if(localStorage.infinity_ignore=="true")r="opt-out"}catch(c){}if(r)return console.warn("Ignoring event: "+r);if(n=="pageview"){if(p==l.href)return;p=l.href;E=S=R=0;x=d.hidden?0:D()}b={n,u:o.u||l.href,d:A("domain")||l.hostname,r:d.referrer,w:w.innerWidth,h,e:o.e,sd:o.sd,p:o.props,$:o.revenue,i:o.interactive};if(N.globalPrivacyControl||N.doNotTrack==1)b.g=1;fetch(e,{method:"POST",body:JSON.stringify(b),keepalive:!0}).then(o.callback)}var k=()=>{S=Math.max(S,(w.scrollY+w.innerHeight)/d.documentElement.scrollHeight*100|0)},f=()=>{if(x)E+=D()-x;x=d.hidden?0:D();k();if(p&&(E>999||S>R))t("engagement",{e:E,sd:S,u:p}),E=0,R=S},v=()=>{f();t("pageview")},y=history,u=y.pushState;L("scroll",k);L("visibilitychange",f);L("pagehide",f);(w.infinity?.q||[]).forEach(i=>t(...i));w.infinity=t;y.pushState=function(){f();u.apply(this,arguments);v()};L("popstate",v);if(h)L("hashchange",v);d.prerendering?d.addEventListener("prerenderingchange",v):v();L("click",c=>{var k=c.target.closest?.("a[href]"),o={props:{url:k?.href}};k&&(B("outbound")&&k.host!=l.host&&t("Outbound Link: Click",o),B("downloads")&&/\.(pdf|zip|dmg|exe|tar|gz|csv|docx?|xlsx?|pptx?|mp[34]|mov)$/i.test(k.pathname)&&t("File Download",o))})}();
        """#
}
