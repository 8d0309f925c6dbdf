// LZ4HC levels 9-12 on the full independent blocks of journal segments: the bytes each level
// stores, its compression time, and its decompression time (median-free, a quick comparison).
//   cc -O2 -o /tmp/hc_levels Benchmarks/journal/hc_levels.c -llz4
//   /tmp/hc_levels DATA/journal/*.seg
// Reads the block layout of Docs/journal-format.md: segment header length at offset 12, 64-byte
// block headers with codec at 6, lengths at 48 and 52; linked blocks (codec 2) are skipped.
#include <lz4.h>
#include <lz4hc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int argc,char**argv){
  int levels[]={9,10,11,12}; long long tot[4]={0}; double tm[4]={0}; long long orig=0, raw=0, nblocks=0;
  double dec[4]={0};
  for(int f=1;f<argc;f++){
    FILE*fp=fopen(argv[f],"rb"); fseek(fp,0,SEEK_END); long n=ftell(fp); fseek(fp,0,SEEK_SET);
    unsigned char*b=malloc(n); fread(b,1,n,fp); fclose(fp);
    uint32_t hl; memcpy(&hl,b+12,4); long off=hl;
    while(off+64<=n){
      uint32_t ulen,clen; memcpy(&ulen,b+off+48,4); memcpy(&clen,b+off+52,4);
      if(b[off+6]!=1){off+=64+clen;continue;}
      char*u=malloc(ulen+64); int r=LZ4_decompress_safe((char*)b+off+64,u,clen,ulen);
      if(r!=(int)ulen){fprintf(stderr,"bad\n");return 1;}
      orig+=clen; raw+=ulen; nblocks++;
      int bound=LZ4_compressBound(ulen); char*c=malloc(bound); char*d=malloc(ulen+64);
      for(int i=0;i<4;i++){double t0=now(); int w=LZ4_compress_HC(u,c,ulen,bound,levels[i]); tm[i]+=now()-t0; tot[i]+=w;
        t0=now(); for(int k=0;k<5;k++) LZ4_decompress_safe(c,d,w,ulen); dec[i]+=(now()-t0)/5;}
      free(u);free(c);free(d); off+=64+clen;
    }
    free(b);
  }
  printf("blocks %lld raw %lld stored %lld\n",nblocks,raw,orig);
  for(int i=0;i<4;i++) printf("level %d: %lld bytes (%.4f of stored)  compress %.2fs  decompress %.3fs\n",levels[i],tot[i],(double)tot[i]/orig,tm[i],dec[i]);
}
