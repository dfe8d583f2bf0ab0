#1783754791
ls -la /srv
#1783754905
df -h
#1783757655
journalctl -u nginx --since today
#1783757741
uptime
#1783860228
systemctl status app
#1783860248
ls -la /srv
#1783869897
tail -n 50 /var/log/syslog
#1783869975
uptime
#1783912001
uptime
#1783912065
tail -n 50 /var/log/syslog
#1783912841
free -m
#1783912866
tail -n 50 /var/log/syslog
#1783930175
tail -n 50 /var/log/syslog
#1783930276
uptime
#1783940252
df -h
#1783940302
free -m
#1783946822
ls -la /srv
#1783946842
free -m
#1783953677
systemctl status app
#1783953701
df -h
#1783986557
journalctl -u nginx --since today
#1783986637
ls -la /srv
#1784005906
systemctl status app
#1784005995
uptime
#1784006523
ls -la /srv
#1784006560
systemctl status app
#1784008783
journalctl -u nginx --since today
#1784008817
uptime
#1784028561
systemctl status app
#1784028614
journalctl -u nginx --since today
#1784048319
uptime
#1784048436
systemctl status app
