#1783754104
tail -n 50 /var/log/syslog
#1783754135
uptime
#1783760564
systemctl status app
#1783760630
tail -n 50 /var/log/syslog
#1783765570
uptime
#1783765600
systemctl status app
#1783774977
ls -la /srv
#1783775043
df -h
#1783787341
df -h
#1783787415
journalctl -u nginx --since today
#1783810719
journalctl -u nginx --since today
#1783810750
ls -la /srv
#1783838191
tail -n 50 /var/log/syslog
#1783838279
free -m
#1783844131
tail -n 50 /var/log/syslog
#1783844175
free -m
#1783853273
ls -la /srv
#1783853382
systemctl status app
#1783864290
free -m
#1783864409
systemctl status app
#1783884089
df -h
#1783884155
uptime
#1783893099
journalctl -u nginx --since today
#1783893166
df -h
#1783914905
tail -n 50 /var/log/syslog
#1783914924
uptime
#1783921247
journalctl -u nginx --since today
#1783921294
systemctl status app
#1783925697
free -m
#1783925791
ls -la /srv
#1783946434
ls -la /srv
#1783946536
free -m
#1783966111
tail -n 50 /var/log/syslog
#1783966216
systemctl status app
#1783988842
systemctl status app
#1783988848
free -m
#1783992242
systemctl status app
#1783992298
ls -la /srv
#1784036011
tail -n 50 /var/log/syslog
#1784036016
df -h
#1784040115
tail -n 50 /var/log/syslog
#1784040232
ls -la /srv
#1784055750
tail -n 50 /var/log/syslog
#1784055781
systemctl status app
#1784061035
ls -la /srv
#1784061042
journalctl -u nginx --since today
